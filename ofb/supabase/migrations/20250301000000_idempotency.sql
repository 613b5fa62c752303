-- Symphony OFB: idempotency keys. A client may send `Idempotency-Key` with any mutating function;
-- OFB stores the answer (success or 4xx refusal) under (user, key) in the write's own transaction,
-- and answers a repeat with the stored answer instead of applying the call again. The primary key
-- is what makes two concurrent duplicates apply once: the second insert waits for the first to
-- commit, then fails, and its transaction (with its writes) rolls back.

create table public.idempotency_keys (
  user_id text not null,
  key text not null check (key ~ '^[A-Za-z0-9_-]{8,128}$'),
  function text not null,
  -- sha256 (hex) of the function's parsed request: the same key with another request is refused.
  request_hash text not null,
  status integer not null check (status between 200 and 499),
  response jsonb not null,
  created_at timestamptz not null default now(),
  primary key (user_id, key)
);

alter table public.idempotency_keys enable row level security;

-- Stored answers are immutable: no update or delete for clients (expiry is the service role's job).
grant select, insert on public.idempotency_keys to authenticated;
grant all on public.idempotency_keys to service_role;

create policy idempotency_keys_select_self on public.idempotency_keys for select to authenticated
  using (user_id = (auth.uid())::text);
create policy idempotency_keys_insert_self on public.idempotency_keys for insert to authenticated
  with check (user_id = (auth.uid())::text);
