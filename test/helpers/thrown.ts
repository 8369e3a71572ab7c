/**
 * The error `action` throws, checked to be a `type`: the test fails when it
 * throws something else (rethrown as it is) or nothing.
 */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, action: () => unknown): E {
  try {
    action();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}
