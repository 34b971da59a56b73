/** Where a sign-in came from, as the api saw it. */
export interface SignInOrigin {
  /** The `User-Agent` header (the device), or null when none was sent. */
  userAgent: string | null;
  /** The client's address, or null when unknown. */
  ip: string | null;
}

/**
 * Told of every successful password sign-in, in its transaction: remembers where the user signs
 * in from and alerts them (a `security.sign_in` notification) when a device or address is new.
 * A port: the notifications library implements it and provides it app-wide, so identity sits
 * below it without importing it.
 */
export abstract class SignInWatch {
  abstract noteSignIn(userId: string, origin: SignInOrigin): Promise<void>;
}
