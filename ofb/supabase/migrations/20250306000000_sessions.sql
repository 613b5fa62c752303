-- Symphony OFB: sessions. Each sign-in (and sign-up) starts a session; every token minted for it
-- (the first and each `refresh-session`) carries its id in the `sid` claim, and OFB refuses a token
-- whose session is revoked (sign-out, sign-out everywhere, a password change) or past `expires_at`
-- (the most a chain of refreshes may last from the sign-in). Only OFB writes sessions.

create table public.sessions (
  id text primary key,
  user_id text not null references public.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  -- The sign-in plus the longest a session may last (MAX_SESSION_SECONDS in schemas/src/ofb.ts).
  expires_at timestamptz not null,
  revoked_at timestamptz,
  -- Why: 'sign_out', 'sign_out_everywhere', 'password_changed'.
  revoked_reason text,
  check ((revoked_at is null) = (revoked_reason is null))
);

-- "Sign out everywhere" and a password change revoke a user's live sessions.
create index sessions_user_live on public.sessions (user_id) where revoked_at is null;

alter table public.sessions enable row level security;

-- A person may see their own sessions (which devices are signed in); nobody but OFB writes them.
grant select on public.sessions to authenticated;
grant all on public.sessions to service_role;

create policy sessions_select_self on public.sessions for select to authenticated
  using (user_id = (auth.uid())::text);
