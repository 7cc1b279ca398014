import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, can, storeToken, storedToken, whoami, type Me } from './api';

interface AuthState {
  me: Me | undefined;
  /** Why the user was signed out, shown on the sign-in form. */
  message: string | undefined;
  checking: boolean;
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

/** Holds the signed-in operator. The token lives in sessionStorage: it survives a reload, not a closed tab. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [checking, setChecking] = useState(() => storedToken() !== null);

  const signOut = useCallback((why?: string) => {
    storeToken(null);
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
    } catch (e) {
      storeToken(null);
      if (e instanceof ApiError && e.status === 401) throw new Error('That token is not valid (unknown or revoked).');
      throw e;
    }
  }, []);

  useEffect(() => {
    const t = storedToken();
    if (!t) return;
    whoami(t).then(
      (who) => { setMe(who); setChecking(false); },
      (e: unknown) => {
        signOut(e instanceof ApiError && e.status === 401 ? 'Your token is no longer accepted; sign in again.' : undefined);
        setChecking(false);
      },
    );
  }, [signOut]);

  const value = useMemo<AuthState>(() => ({
    me, message, checking, signIn, signOut, canEdit: can.edit(me?.role), isAdmin: can.admin(me?.role),
  }), [me, message, checking, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
