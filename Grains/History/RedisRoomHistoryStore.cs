using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansChat.Model;
using StackExchange.Redis;

namespace OrleansChat.Grains.History;

/// <summary>
/// Room history in Redis, one small set of keys per room (all with the room in a hash tag, so a Redis Cluster keeps
/// a room on one shard), readable with redis-cli (docs/history.md):
/// <list type="bullet">
/// <item><c>{prefix}:{room}:log</c> — a Redis Stream, one entry per committed message, entry id = <c>{seq}-0</c>
/// (fields <c>id conn name text at</c>); trimmed by count on every append and by age as it goes.</item>
/// <item><c>{prefix}:{room}:ids</c> — hash client message id → seq; <c>{prefix}:{room}:idtimes</c> — sorted set
/// client message id by commit time (ms): the idempotency window, trimmed by time and count.</item>
/// <item><c>{prefix}:{room}:meta</c> — hash <c>reserved</c> (highest reserved room seq), <c>last</c> (highest stored
/// message seq).</item>
/// </list>
/// Every key expires after <see cref="HistoryRetention.RoomExpiry"/> without activity. An append is one Lua script:
/// atomic, one round trip, and its cost does not depend on how much history the room has.
/// </summary>
public sealed class RedisRoomHistoryStore : IRoomHistoryStore
{
    // KEYS: log ids idtimes meta
    // ARGV: seq clientId conn name text atMs maxLen ageCutoffMs idCutoffMs maxIds expiryMs knownLast (-1: unchecked)
    private const string AppendScript = """
        local seq = tonumber(ARGV[1])
        local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[9], 'LIMIT', 0, 256)
        if #expired > 0 then
          redis.call('HDEL', KEYS[2], unpack(expired))
          redis.call('ZREM', KEYS[3], unpack(expired))
        end
        local known = redis.call('HGET', KEYS[2], ARGV[2])
        if known then
          local at = redis.call('ZSCORE', KEYS[3], ARGV[2]) or '0'
          local entry = redis.call('XRANGE', KEYS[1], known .. '-0', known .. '-0')
          if #entry > 0 then return {'dup', known, at, entry[1][2]} end
          return {'dup', known, at}
        end
        local last = tonumber(redis.call('HGET', KEYS[4], 'last') or '0')
        local knownLast = tonumber(ARGV[12])
        if last >= seq or (knownLast >= 0 and last > knownLast) then return {'stale', tostring(last)} end
        redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[7], ARGV[1] .. '-0',
          'id', ARGV[2], 'conn', ARGV[3], 'name', ARGV[4], 'text', ARGV[5], 'at', ARGV[6])
        redis.call('HSET', KEYS[4], 'last', ARGV[1])
        redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
        redis.call('ZADD', KEYS[3], ARGV[6], ARGV[2])
        local ageCutoff = tonumber(ARGV[8])
        if ageCutoff > 0 then
          local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 64)
          local keep = nil
          local lastOld = nil
          for _, e in ipairs(oldest) do
            local f = e[2]
            local at = 0
            for j = 1, #f, 2 do if f[j] == 'at' then at = tonumber(f[j + 1]) end end
            if at >= ageCutoff then keep = e[1] break end
            lastOld = e[1]
          end
          if keep == nil and lastOld ~= nil then
            keep = tostring(tonumber(string.match(lastOld, '^(%d+)')) + 1) .. '-0'
          end
          if lastOld ~= nil then redis.call('XTRIM', KEYS[1], 'MINID', keep) end
        end
        local over = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[10])
        if over > 0 then
          local oldestIds = redis.call('ZRANGE', KEYS[3], 0, math.min(over, 256) - 1)
          redis.call('HDEL', KEYS[2], unpack(oldestIds))
          redis.call('ZREM', KEYS[3], unpack(oldestIds))
        end
        for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[11]) end
        return {'ok'}
        """;

    // KEYS: meta (and the others, to renew their expiry); ARGV: reserved expiryMs
    private const string ReserveScript = """
        local current = tonumber(redis.call('HGET', KEYS[4], 'reserved') or '0')
        if tonumber(ARGV[1]) > current then redis.call('HSET', KEYS[4], 'reserved', ARGV[1]) end
        for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
        return 1
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly HistoryRetention _retention;
    private readonly TimeProvider _time;
    private readonly string _prefix;

    public RedisRoomHistoryStore(IConnectionMultiplexer redis, IOptions<ChatLimits> limits, TimeProvider time, string keyPrefix)
    {
        _redis = redis;
        _retention = HistoryRetention.From(limits.Value);
        _time = time;
        _prefix = keyPrefix;
    }

    public Task<StoredRoom> LoadAsync(string roomId, int recentCount) => Guard(() => LoadCoreAsync(roomId, recentCount));

    public Task ReserveSeqAsync(string roomId, long reservedSeq) => Guard(async () =>
    {
        await _redis.GetDatabase().ScriptEvaluateAsync(ReserveScript, Keys(roomId), [reservedSeq, ExpiryMs()]);
        return true;
    });

    public Task<AppendResult> AppendAsync(string roomId, ChatMessage message, long? knownLastSeq = null) =>
        Guard(() => AppendCoreAsync(roomId, message, knownLastSeq));

    public Task<HistoryPage> ReadBeforeAsync(string roomId, long beforeSeq, int limit) => Guard(() => ReadBeforeCoreAsync(roomId, beforeSeq, limit));

    /// <summary>
    /// Redis's own exceptions cannot cross an Orleans call (no codec), so a failure reaches the caller as an
    /// <see cref="OrleansException"/> with the reason; the room answers it as "unavailable".
    /// </summary>
    private static async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new OrleansException($"The history store (Redis) did not answer: {ex.Message}");
        }
    }

    private async Task<StoredRoom> LoadCoreAsync(string roomId, int recentCount)
    {
        var keys = Keys(roomId);
        var db = _redis.GetDatabase();
        var batch = db.CreateBatch();
        var meta = batch.HashGetAsync(keys[3], ["reserved", "last"]);
        var newest = batch.StreamRangeAsync(keys[0], "-", "+", recentCount + 1, Order.Descending);
        var exists = batch.KeyExistsAsync([keys[0], keys[3]]);
        batch.Execute();
        var (metaValues, entries, existing) = (await meta, await newest, await exists);
        if (existing == 0)
        {
            return StoredRoom.None;
        }

        // A new activation is activity: the room lives on for another RoomExpiry.
        await db.ScriptEvaluateAsync(ReserveScript, keys, [0, ExpiryMs()]);
        var more = entries.Length > recentCount;
        var recent = entries.Take(recentCount).Reverse().Select(ToMessage).ToList();
        return new StoredRoom(true, ToLong(metaValues[0]), ToLong(metaValues[1]), recent, more);
    }

    private async Task<AppendResult> AppendCoreAsync(string roomId, ChatMessage message, long? knownLastSeq)
    {
        var now = _time.GetUtcNow();
        var ageCutoff = _retention.MaxAge > TimeSpan.Zero ? (now - _retention.MaxAge).ToUnixTimeMilliseconds() : 0;
        var result = await _redis.GetDatabase().ScriptEvaluateAsync(AppendScript, Keys(roomId),
        [
            message.Seq,
            message.ClientMessageId,
            message.ConnectionId,
            message.SenderName,
            message.Text,
            message.SentAt.ToUnixTimeMilliseconds(),
            _retention.MaxCount,
            ageCutoff,
            (now - _retention.IdempotencyWindow).ToUnixTimeMilliseconds(),
            _retention.MaxIdempotencyKeys,
            ExpiryMs(),
            knownLastSeq ?? -1,
        ]);
        var parts = (RedisResult[])result!;
        switch ((string?)parts[0])
        {
            case "ok":
                return AppendResult.Appended;
            case "stale":
                return new AppendResult(AppendOutcome.Stale, LastSeq: (long)parts[1]);
            case "dup":
                var seq = (long)parts[1];
                var existing = parts.Length > 3
                    ? ToMessage(seq, ToFields((RedisResult[])parts[3]!))
                    : message with { Seq = seq, SentAt = DateTimeOffset.FromUnixTimeMilliseconds((long)parts[2]) };
                return new AppendResult(AppendOutcome.Duplicate, existing);
            default:
                throw new InvalidOperationException($"The history append script answered '{parts[0]}'.");
        }
    }

    private async Task<HistoryPage> ReadBeforeCoreAsync(string roomId, long beforeSeq, int limit)
    {
        if (beforeSeq <= 1 || limit <= 0)
        {
            return new HistoryPage([], false);
        }

        // An id without its sequence part is the highest id of that millisecond part here: everything below beforeSeq.
        var entries = await _redis.GetDatabase().StreamRangeAsync(
            Keys(roomId)[0], "-", (beforeSeq - 1).ToString(CultureInfo.InvariantCulture), limit + 1, Order.Descending);
        var more = entries.Length > limit;
        return new HistoryPage(entries.Take(limit).Reverse().Select(ToMessage).ToList(), more);
    }

    /// <summary>The keys of a room, in the order the scripts expect: log, ids, idtimes, meta.</summary>
    public RedisKey[] Keys(string roomId)
    {
        var root = $"{_prefix}:{{{roomId}}}:";
        return [root + "log", root + "ids", root + "idtimes", root + "meta"];
    }

    private long ExpiryMs() => (long)_retention.RoomExpiry.TotalMilliseconds;

    private static long ToLong(RedisValue value) => value.IsNull ? 0 : (long)value;

    private static ChatMessage ToMessage(StreamEntry entry)
    {
        var fields = new Dictionary<string, RedisValue>(StringComparer.Ordinal);
        foreach (var value in entry.Values)
        {
            fields[value.Name!] = value.Value;
        }

        return ToMessage(SeqOf(entry.Id), fields);
    }

    private static Dictionary<string, RedisValue> ToFields(RedisResult[] flat)
    {
        var fields = new Dictionary<string, RedisValue>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            fields[(string)flat[i]!] = (RedisValue)flat[i + 1];
        }

        return fields;
    }

    private static ChatMessage ToMessage(long seq, Dictionary<string, RedisValue> fields) => new(
        seq,
        fields.GetValueOrDefault("id").ToString(),
        fields.GetValueOrDefault("conn").ToString(),
        fields.GetValueOrDefault("name").ToString(),
        fields.GetValueOrDefault("text").ToString(),
        DateTimeOffset.FromUnixTimeMilliseconds(ToLong(fields.GetValueOrDefault("at"))));

    private static long SeqOf(RedisValue streamId)
    {
        var id = streamId.ToString();
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return long.Parse(dash < 0 ? id : id[..dash], CultureInfo.InvariantCulture);
    }
}
