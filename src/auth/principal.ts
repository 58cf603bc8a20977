/** What a caller may do: admins everything, publishers their own agents. */
export type Role = 'admin' | 'publisher';

/** Who a request acts for, once authenticated. */
export interface Principal {
  /** Stable identity: the API key's name or the token's subject. */
  id: string;
  role: Role;
}

/** The principal of every request when AUTH_MODE=none: anyone may do anything. */
export const ANONYMOUS_ADMIN: Principal = Object.freeze({ id: 'anonymous', role: 'admin' });

export const isAdmin = (principal: Principal): boolean => principal.role === 'admin';
