import type { FastifyInstance } from 'fastify';
import type { SiteConfig } from '../model/site.js';
import type { Store } from '../store/store.js';
import { registerTaxii, type TaxiiAuthorize } from './taxii.js';
import { roleAllows } from './tokens.js';

/**
 * TAXII 2.1 under /taxii2/ follows the API's rules: the service's authentication hook has already checked the API
 * token (Bearer, or HTTP basic with the token as the password, for TAXII clients that only speak basic); reading
 * needs any role, adding or deleting objects needs `analyst`.
 */
export const tokenAuthorizer: TaxiiAuthorize = (req, need) => {
  const p = req.principal;
  if (!p) return 401;
  return need.write ? (roleAllows(p.role, 'analyst') ? true : 403) : true;
};

/** The TAXII server as a mount of the service's HTTP app (single process and `--role api`). */
export function taxiiMount(store: Store, site: SiteConfig): (app: FastifyInstance) => Promise<void> {
  return (app) => registerTaxii(app, { store, site, authorize: tokenAuthorizer });
}
