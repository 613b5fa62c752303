-- Symphony OFB: user names unique by their key, and a trash for deleted documents and workflows.
--
-- users.name_key is userNameKey(name) (schemas/src/names.ts: NFKC, case-folded), written by OFB with
-- every new user and unique, so "ALICE_T1" cannot sign up beside "alice_t1". Existing names are
-- backfilled with lower(normalize(name, NFKC)), which is the same key for every name the UserName
-- schema ever admitted (ASCII letters, digits, "._@-"). Where existing names already collide, the
-- oldest account keeps the plain key and each later one gets `<key>#<id>` ("#" cannot occur in a
-- name, so no new name ever takes it): nothing breaks, every account keeps signing in with its exact
-- name (sign-in tries the exact name first), and no new look-alike can join them.
alter table public.users add column name_key text;
update public.users u set name_key = case when r.n = 1 then r.k else r.k || '#' || u.id end
  from (
    select id, lower(normalize(name, NFKC)) as k,
      row_number() over (partition by lower(normalize(name, NFKC)) order by created_at, id) as n
    from public.users
  ) r
  where r.id = u.id;
alter table public.users alter column name_key set not null;
create unique index users_name_key_unique on public.users (name_key);

-- A row written past OFB (PostgREST: a user may update their own row) gets its key from SQL's
-- near-equivalent of userNameKey, and a rename takes a new key, so the unique index still holds.
create function public.ofb_user_name_key() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    new.name_key := coalesce(new.name_key, lower(normalize(new.name, NFKC)));
  elsif new.name is distinct from old.name and new.name_key is not distinct from old.name_key then
    new.name_key := lower(normalize(new.name, NFKC));
  end if;
  return new;
end $$;
create trigger users_name_key before insert or update on public.users
  for each row execute function public.ofb_user_name_key();

-- A deleted document or workflow keeps its row (and so its content, which references it) with
-- deleted_at and deleted_by set: every OFB function but list-trash and restore-document treats it as
-- gone. OFB purges rows deleted more than TRASH_RETENTION_DAYS ago (schemas/src/ofb.ts).
alter table public.documents add column deleted_at timestamptz;
alter table public.documents add column deleted_by text;
alter table public.documents add constraint documents_deleted_check
  check ((deleted_at is null) = (deleted_by is null) and (deleted_at is null or kind <> 'workspace'));
create index documents_trash_idx on public.documents (workspace_id, deleted_at) where deleted_at is not null;
