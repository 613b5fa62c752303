-- Symphony OFB: the audit chain follows `seq` under concurrency.
-- The row's `seq` default (nextval) is taken when the row is formed, before the BEFORE trigger waits
-- for the chain's lock: two concurrent inserts could take seqs 10 and 11 and lock in the other order,
-- so row 11 linked to row 9 and row 10 to row 11, and `symphony audit verify` (which walks in seq
-- order) reported a broken link. The trigger now takes the row's seq after the lock, so seq order is
-- lock order is chain order. The seq first drawn is dropped; verify allows gaps (rolled-back writes
-- leave them too).

create or replace function public.ofb_audit_chain() returns trigger
language plpgsql security definer set search_path = public as $$
declare previous text;
begin
  -- One writer at a time extends the chain, so two transactions never fork it.
  perform pg_advisory_xact_lock(727100);
  new.seq := nextval(pg_get_serial_sequence('public.audit_log', 'seq'));
  select hash into previous from public.audit_log order by seq desc limit 1;
  new.prev_hash := coalesce(previous, repeat('0', 64));
  new.hash := encode(sha256(convert_to(new.prev_hash || public.ofb_audit_canonical(new), 'UTF8')), 'hex');
  return new;
end $$;
