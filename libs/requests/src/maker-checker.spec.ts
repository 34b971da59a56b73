import { needsSecondApproval } from './maker-checker';

describe('needsSecondApproval', () => {
  const thresholds = { secondApprovalLimit: 5_000_000, secondApprovalAmount: 100_000 };

  it('asks for a second employee strictly above each type’s threshold, and for no other type', () => {
    expect(needsSecondApproval({ type: 'limit_increase', details: { dailyLimit: 5_000_000 } }, thresholds)).toBe(false);
    expect(needsSecondApproval({ type: 'limit_increase', details: { dailyLimit: 5_000_001 } }, thresholds)).toBe(true);
    expect(needsSecondApproval({ type: 'transaction_dispute', details: { amount: 100_000 } }, thresholds)).toBe(false);
    expect(needsSecondApproval({ type: 'transaction_dispute', details: { amount: 100_001 } }, thresholds)).toBe(true);
    expect(needsSecondApproval({ type: 'kyc_update', details: { amount: 1e9, dailyLimit: 1e9 } }, thresholds)).toBe(false);
    expect(needsSecondApproval({ type: 'transfer_review', details: { amount: 1e9 } }, thresholds)).toBe(false);
  });

  it('never asks when the threshold is off', () => {
    expect(needsSecondApproval({ type: 'limit_increase', details: { dailyLimit: 1e11 } }, { secondApprovalLimit: null, secondApprovalAmount: null })).toBe(false);
    expect(needsSecondApproval({ type: 'transaction_dispute', details: { amount: 1e11 } }, { secondApprovalLimit: null, secondApprovalAmount: null })).toBe(false);
  });
});
