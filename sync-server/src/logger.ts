/** Where the server reports what happened. Fields are plain data, printed as JSON. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON line per event on stderr: `{"level":"warn","msg":"…",…}`. */
export const consoleLogger: Logger = {
  info: (msg, fields) => write('info', msg, fields),
  warn: (msg, fields) => write('warn', msg, fields),
  error: (msg, fields) => write('error', msg, fields),
};

/** Discards everything: for benchmarks. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

function write(level: string, msg: string, fields?: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
}

/** A {@link Logger} that drops repeats; {@link RepeatLimitedLogger.flush} reports what it dropped. */
export interface RepeatLimitedLogger extends Logger {
  /** Logs one line per message that had repeats dropped since it was last logged, with their count. */
  flush(): void;
}

/** How many times the same line may be logged per window. */
export interface RepeatLimit {
  /** 3: enough to see that something repeats and with which fields. */
  readonly burst: number;
  /** 60 s. */
  readonly windowMs: number;
}

const defaultRepeatLimit: RepeatLimit = { burst: 3, windowMs: 60_000 };

/**
 * Wraps `log` so that one source (a connection, a remote) cannot flood it: each message (level +
 * text; fields do not count) is logged at most `burst` times per window, the rest counted and
 * reported as `suppressed` on the next line of that message that is let through, or by `flush`.
 */
export function repeatLimited(
  log: Logger,
  limit: RepeatLimit = defaultRepeatLimit,
  now: () => number = Date.now,
): RepeatLimitedLogger {
  const seen = new Map<string, { since: number; count: number; suppressed: number }>();
  const line =
    (level: keyof Logger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      const key = `${level}\u0000${message}`;
      const at = now();
      let entry = seen.get(key);
      if (!entry || at - entry.since >= limit.windowMs) {
        const suppressed = entry?.suppressed ?? 0;
        entry = { since: at, count: 0, suppressed: 0 };
        seen.set(key, entry);
        if (suppressed > 0) fields = { ...fields, suppressed };
      }
      if (++entry.count > limit.burst) {
        entry.suppressed++;
        return;
      }
      log[level](message, fields);
    };
  return {
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    flush() {
      for (const [key, entry] of seen) {
        if (entry.suppressed === 0) continue;
        const [level, message] = key.split('\u0000') as [keyof Logger, string];
        log[level](message, { suppressed: entry.suppressed });
        entry.suppressed = 0;
      }
    },
  };
}
