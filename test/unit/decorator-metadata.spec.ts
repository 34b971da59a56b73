import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';

@Injectable()
class Clock {
  now(): number {
    return 42;
  }
}

@Injectable()
class UsesClockByTypeOnly {
  // No @Inject(): Nest resolves this only if the compiler emitted design:paramtypes.
  constructor(readonly clock: Clock) {}
}

describe('decorator metadata under the test compiler (SWC)', () => {
  it('lets Nest inject a dependency by its constructor type', async () => {
    const moduleRef = await Test.createTestingModule({ providers: [Clock, UsesClockByTypeOnly] }).compile();
    expect(moduleRef.get(UsesClockByTypeOnly).clock.now()).toBe(42);
    expect(Reflect.getMetadata('design:paramtypes', UsesClockByTypeOnly)).toEqual([Clock]);
  });
});
