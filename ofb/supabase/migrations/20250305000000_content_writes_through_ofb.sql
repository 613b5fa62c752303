-- Document content (document_updates, automerge_chunks) and the audit log are written only through
-- OFB's functions, which check what RLS cannot: that bytes decode (Yjs, Automerge), that a workflow
-- stays valid, the size rule, and that each write's audit row names who wrote. `authenticated` keeps
-- reading them (select policies); only service_role (OFB, bypassrls) writes them.
revoke insert, update, delete on public.document_updates, public.automerge_chunks, public.audit_log
  from authenticated;
revoke usage on sequence public.document_updates_seq_seq, public.automerge_chunks_seq_seq,
  public.audit_log_seq_seq from authenticated;

drop policy if exists document_updates_insert_editor on public.document_updates;
drop policy if exists document_updates_delete_editor on public.document_updates;
drop policy if exists automerge_chunks_insert_editor on public.automerge_chunks;
drop policy if exists automerge_chunks_update_editor on public.automerge_chunks;
drop policy if exists automerge_chunks_delete_editor on public.automerge_chunks;
drop policy if exists audit_insert_self on public.audit_log;

-- Metadata keeps its write policies as defence in depth, but a workspace's index document
-- (kind 'workspace') is renamed and deleted with its workspace only, as OFB's functions enforce.
drop policy if exists documents_update_editor on public.documents;
create policy documents_update_editor on public.documents for update to authenticated
  using (kind <> 'workspace' and public.ofb_has_role(workspace_id, 'editor'))
  with check (kind <> 'workspace' and public.ofb_has_role(workspace_id, 'editor'));
drop policy if exists documents_delete_editor on public.documents;
create policy documents_delete_editor on public.documents for delete to authenticated
  using (kind <> 'workspace' and public.ofb_has_role(workspace_id, 'editor'));
