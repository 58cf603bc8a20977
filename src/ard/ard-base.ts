/** Where the ARD registry API is served: the base its paths (`/search`, `/agents`, ...) hang from. */
export const ARD_BASE = '/ard/v1';
