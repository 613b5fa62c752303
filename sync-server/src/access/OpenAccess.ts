// OpenAccess, the AccessControl that lets everyone edit everything: for protocol tests and benchmarks only.
import type { Access, AccessCheck, AccessControl } from './AccessControl.js';

/**
 * Everyone is an editor of everything, forever; the token (any string, or none) is the user's id
 * and name. **For protocol tests and benchmarks only**: it checks nothing.
 */
export class OpenAccess implements AccessControl {
  async authorize(token: string, _resourceId: string): Promise<Access> {
    const user = token === '' ? 'anonymous' : token.slice(0, 64);
    return {
      ok: true,
      role: 'editor',
      workspaceId: 'open',
      kind: 'document',
      userId: user,
      userName: user,
      exp: Number.POSITIVE_INFINITY,
    };
  }

  authorizeMany(checks: readonly AccessCheck[]): Promise<Access[]> {
    return Promise.all(checks.map((c) => this.authorize(c.token, c.resourceId)));
  }
}
