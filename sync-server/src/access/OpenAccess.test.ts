// Runs the AccessControl acceptance suite against OpenAccess.
import { runAccessControlTests } from './acceptance.js';
import { OpenAccess } from './OpenAccess.js';

runAccessControlTests('OpenAccess', async () => ({
  access: new OpenAccess(),
  granted: { token: 'ada', resourceId: 'any-document', role: 'editor' },
  refused: [],
}));
