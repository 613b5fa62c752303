// Workspaces, members and invitations in SQL: the WorkspaceStore role of SqlOfbStore.
import type { Role } from '@symphony/schemas';
import type {
  InvitationRecord,
  MemberRecord,
  NamedMemberRecord,
  ReceivedInvitationRecord,
  SentInvitationRecord,
  WorkspaceRecord,
  WorkspaceStore,
} from '../../OfbStore.js';
import type { SqlDriver } from '../SqlDriver.js';
import { unique } from './errors.js';
import { invitation, member, workspace } from './rows.js';

/** {@link WorkspaceStore} over a {@link SqlDriver}. */
export class SqlWorkspaceStore implements WorkspaceStore {
  constructor(private readonly db: SqlDriver) {}

  async createWorkspace(w: Omit<WorkspaceRecord, 'createdAt'>): Promise<WorkspaceRecord> {
    const rows = await unique(`workspace ${w.id}`, () =>
      this.db.query('insert into workspaces (id, name, created_by) values ($1, $2, $3) returning *', [
        w.id,
        w.name,
        w.createdBy,
      ]),
    );
    return workspace(rows[0]!);
  }

  async getWorkspace(id: string): Promise<WorkspaceRecord | null> {
    const rows = await this.db.query('select * from workspaces where id = $1', [id]);
    return rows[0] ? workspace(rows[0]) : null;
  }

  async listWorkspacesFor(userId: string): Promise<{ workspace: WorkspaceRecord; role: Role }[]> {
    const rows = await this.db.query(
      `select w.*, m.role from workspaces w join members m on m.workspace_id = w.id
       where m.user_id = $1 order by w.created_at, w.id`,
      [userId],
    );
    return rows.map((r) => ({ workspace: workspace(r), role: r.role as Role }));
  }

  async countWorkspacesOwnedBy(userId: string): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(
      `select count(*) as n from members where user_id = $1 and role = 'owner'`,
      [userId],
    );
    return Number(rows[0]!.n);
  }

  async getMember(workspaceId: string, userId: string): Promise<MemberRecord | null> {
    const rows = await this.db.query('select * from members where workspace_id = $1 and user_id = $2', [
      workspaceId,
      userId,
    ]);
    return rows[0] ? member(rows[0]) : null;
  }

  async listMembers(workspaceId: string): Promise<MemberRecord[]> {
    const rows = await this.db.query('select * from members where workspace_id = $1 order by user_id', [
      workspaceId,
    ]);
    return rows.map(member);
  }

  async listNamedMembers(workspaceId: string): Promise<NamedMemberRecord[]> {
    const rows = await this.db.query(
      `select m.*, coalesce(u.name, m.user_id) as name from members m left join users u on u.id = m.user_id
       where m.workspace_id = $1 order by coalesce(u.name, m.user_id), m.user_id`,
      [workspaceId],
    );
    return rows.map((r) => ({ ...member(r), name: String(r.name) }));
  }

  async putMember(m: MemberRecord): Promise<void> {
    await this.db.query(
      `insert into members (workspace_id, user_id, role) values ($1, $2, $3)
       on conflict (workspace_id, user_id) do update set role = excluded.role`,
      [m.workspaceId, m.userId, m.role],
    );
  }

  async removeMember(workspaceId: string, userId: string): Promise<boolean> {
    const rows = await this.db.query(
      'delete from members where workspace_id = $1 and user_id = $2 returning user_id',
      [workspaceId, userId],
    );
    return rows.length > 0;
  }

  async createInvitation(i: Omit<InvitationRecord, 'createdAt'>): Promise<InvitationRecord> {
    const rows = await unique(`invitation of ${i.inviteeId}`, () =>
      this.db.query(
        `insert into invitations (id, workspace_id, invitee_id, role, invited_by)
         values ($1, $2, $3, $4, $5) returning *`,
        [i.id, i.workspaceId, i.inviteeId, i.role, i.invitedBy],
      ),
    );
    return invitation(rows[0]!);
  }

  async getInvitation(id: string): Promise<InvitationRecord | null> {
    const rows = await this.db.query('select * from invitations where id = $1', [id]);
    return rows[0] ? invitation(rows[0]) : null;
  }

  async countInvitations(workspaceId: string): Promise<number> {
    const rows = await this.db.query<{ n: unknown }>(
      'select count(*) as n from invitations where workspace_id = $1',
      [workspaceId],
    );
    return Number(rows[0]!.n);
  }

  async deleteInvitation(id: string): Promise<boolean> {
    return (await this.db.query('delete from invitations where id = $1 returning id', [id])).length > 0;
  }

  async listSentInvitations(workspaceId: string): Promise<SentInvitationRecord[]> {
    const rows = await this.db.query(
      `select i.*, coalesce(u.name, i.invitee_id) as invitee_name
       from invitations i left join users u on u.id = i.invitee_id
       where i.workspace_id = $1 order by i.created_at, i.id`,
      [workspaceId],
    );
    return rows.map((r) => ({ ...invitation(r), inviteeName: String(r.invitee_name) }));
  }

  async listReceivedInvitations(userId: string): Promise<ReceivedInvitationRecord[]> {
    const rows = await this.db.query(
      `select i.*, w.name as workspace_name, coalesce(u.name, i.invited_by) as inviter_name
       from invitations i join workspaces w on w.id = i.workspace_id
       left join users u on u.id = i.invited_by
       where i.invitee_id = $1 order by i.created_at, i.id`,
      [userId],
    );
    return rows.map((r) => ({
      ...invitation(r),
      workspaceName: String(r.workspace_name),
      inviterName: String(r.inviter_name),
    }));
  }
}
