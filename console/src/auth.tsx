import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, can, storeToken, storedToken, whoami, type Me } from './api';

interface AuthState {
  /** Whether a token is held (pages load at once; `me` follows). */
  signedIn: boolean;
  /** Who the token belongs to, once /api/v1/me answered. Until then nothing role-bound is offered. */
  me: Me | undefined;
  /** Why the user was signed out, shown on the sign-in form. */
  message: string | undefined;
  signIn: (token: string) => Promise<void>;
  signOut: (why?: string) => void;
  canEdit: boolean;
  isAdmin: boolean;
}

const AuthContext = createContext<AuthState | undefined>(undefined);

export function useAuth(): AuthState {
  const a = useContext(AuthContext);
  if (!a) throw new Error('useAuth outside AuthProvider');
  return a;
}

/**
 * Holds the signed-in operator. The token lives in sessionStorage: it survives a reload, not a closed tab.
 * With a stored token the pages start loading at once, in parallel with /api/v1/me (the role arrives a moment
 * later; edit controls appear only then). Any 401 signs out.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [signedIn, setSignedIn] = useState(() => storedToken() !== null);
  const [me, setMe] = useState<Me | undefined>();
  const [message, setMessage] = useState<string | undefined>();

  const signOut = useCallback((why?: string) => {
    storeToken(null);
    setSignedIn(false);
    setMe(undefined);
    setMessage(why);
  }, []);

  const signIn = useCallback(async (token: string) => {
    const t = token.trim();
    try {
      const who = await whoami(t);
      storeToken(t);
      setMessage(undefined);
      setMe(who);
      setSignedIn(true);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) throw new Error('That token is not valid (unknown or revoked).');
      throw e;
    }
  }, []);

  useEffect(() => {
    const t = storedToken();
    if (!t || me) return;
    whoami(t).then(setMe, (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) signOut('Your token is no longer accepted; sign in again.');
    });
  }, [signedIn, me, signOut]);

  const value = useMemo<AuthState>(() => ({
    signedIn, me, message, signIn, signOut, canEdit: can.edit(me?.role), isAdmin: can.admin(me?.role),
  }), [signedIn, me, message, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
