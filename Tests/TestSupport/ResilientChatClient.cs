using System.Text.Json;
using OrleansChat.Client;

namespace OrleansChat.Tests.Support;

/// <summary>
/// A protocol client that behaves like the browser client: the shared <see cref="ReconnectingChatSocket"/>
/// (Tests/ChatClient, the same rules the load generator follows) reconnects through whatever URL it was given (e.g. a
/// load balancer), rejoins, re-sends its unconfirmed commits (same id) and its draft after each welcome and resyncs on
/// a sequence gap; this class keeps what the room looks like to it (every welcome is the whole truth). Tests read its
/// state and await conditions on it.
/// </summary>
public sealed class ResilientChatClient : IChatSocketEvents, IAsyncDisposable
{
    private readonly string _name;
    private readonly ReconnectingChatSocket _socket;
    private readonly Lock _gate = new();
    private readonly List<(string Id, long Seq)> _log = [];
    private readonly Dictionary<string, string> _drafts = [];
    private readonly HashSet<string> _participants = [];
    private readonly HashSet<string> _servers = [];
    private readonly List<string> _errors = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ResilientChatClient(Uri uri, string room, string name)
    {
        _name = name;
        _socket = new ReconnectingChatSocket(new ChatSocketOptions { Uri = uri, Room = room, Name = name, ConnectTimeout = TimeSpan.FromSeconds(5) }, this);
    }

    public string? ConnectionId => _socket.ConnectionId;

    public string? Server => _socket.Server;

    public bool IsLive => _socket.IsLive;

    public int Welcomes => _socket.Welcomes;

    public int Disconnects => _socket.Disconnects;

    public int GapsSeen { get; private set; }

    /// <summary>Client message ids of committed messages as this client shows them (after the latest welcome).</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_gate)
            {
                return [.. _log.Select(m => m.Id)];
            }
        }
    }

    public IReadOnlyCollection<string> ServersSeen
    {
        get
        {
            lock (_gate)
            {
                return [.. _servers];
            }
        }
    }

    public IReadOnlyDictionary<string, string> Drafts
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string>(_drafts);
            }
        }
    }

    public IReadOnlyCollection<string> Participants
    {
        get
        {
            lock (_gate)
            {
                return [.. _participants];
            }
        }
    }

    public int PendingCommits => _socket.Recovery.PendingCount;

    /// <summary>A one-line account of this client's state, for a failed test's output.</summary>
    public string Describe()
    {
        lock (_gate)
        {
            return $"connection={ConnectionId} live={IsLive} server={Server} servers=[{string.Join(',', _servers)}] " +
                $"connects={Connects} disconnects={Disconnects} welcomes={Welcomes} gaps={GapsSeen} lastSeq={_socket.Recovery.LastSeq} " +
                $"log={_log.Count} (last seqs {string.Join(',', _log.TakeLast(5).Select(m => m.Seq))}) " +
                $"pending=[{string.Join(',', _socket.Recovery.PendingIds)}] errors=[{string.Join(',', _errors)}]";
        }
    }

    public void Start() => _ = _socket.StartAsync();

    /// <summary>Drops the connection without a close frame (a network failure); the client reconnects by itself.</summary>
    public void AbortConnection() => _socket.Abort();

    /// <summary>Connections opened so far (the first one and every reconnect).</summary>
    public int Connects => _socket.Connects;

    /// <summary>Types a draft (sent now if connected, else after the next welcome).</summary>
    public Task TypeAsync(string draft) => _socket.SendChunkAsync(draft);

    /// <summary>Commits a message; it stays pending (and is re-sent after reconnects) until the room confirms it.</summary>
    public async Task<string> CommitAsync(string text)
    {
        var id = Guid.NewGuid().ToString("N");
        await _socket.SendCommitAsync(text, id);
        return id;
    }

    /// <summary>Waits until the condition holds (re-checked after every frame and state change).</summary>
    public async Task WaitUntilAsync(Func<ResilientChatClient, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (condition(this))
            {
                return;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{_name}: timed out after {timeout} waiting until {what}. Live={IsLive} server={Server} " +
                    $"log={Log.Count} pending={PendingCommits} disconnects={Disconnects} welcomes={Welcomes}");
            }

            // Wake on the next change, or re-check at least once a second (time-based conditions).
            await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds(1) < left ? TimeSpan.FromSeconds(1) : left));
        }
    }

    void IChatSocketEvents.OnWelcome(WelcomeFrame welcome, bool first, bool reconnected, ReadOnlySpan<byte> utf8, long arrivedAt)
    {
        var reader = new Utf8JsonReader(utf8);
        using var document = JsonDocument.ParseValue(ref reader);
        var frame = document.RootElement;
        lock (_gate)
        {
            _servers.Add(welcome.Server ?? "");
            _log.Clear();
            _log.AddRange(welcome.History.Select(m => (m.ClientMessageId, m.Seq)));
            _participants.Clear();
            foreach (var p in frame.GetProperty("participants").EnumerateArray())
            {
                _participants.Add(p.GetProperty("connectionId").GetString()!);
            }

            _drafts.Clear();
            foreach (var d in frame.GetProperty("drafts").EnumerateArray())
            {
                _drafts[d.GetProperty("connectionId").GetString()!] = d.GetProperty("text").GetString()!;
            }

            Pulse();
        }
    }

    void IChatSocketEvents.OnFrame(in ServerFrame frame, EventOrder order, ReadOnlySpan<byte> utf8, long arrivedAt)
    {
        if (frame.Kind == FrameKind.Committed)
        {
            // A retried commit the room had stored already (its event did not reach this client): shown in seq order,
            // as the browser does.
            var id = WelcomeFrame.Decode(frame.Id);
            var seq = frame.MessageSeq;
            lock (_gate)
            {
                if (!_log.Exists(m => m.Id == id) && (_log.Count == 0 || seq > _log[0].Seq))
                {
                    var index = _log.FindIndex(m => m.Seq > seq);
                    _log.Insert(index < 0 ? _log.Count : index, (id, seq));
                }

                Pulse();
            }

            return;
        }

        if (frame.Kind == FrameKind.Error)
        {
            var error = WelcomeFrame.Decode(frame.Id) + (frame.Ref.Length > 0 ? "(" + WelcomeFrame.Decode(frame.Ref) + ")" : "");
            lock (_gate)
            {
                if (_errors.Count < 50)
                {
                    _errors.Add(error);
                }
            }
        }

        if (frame.Seq <= 0 || order == EventOrder.Stale)
        {
            lock (_gate)
            {
                Pulse();
            }

            return;
        }

        var reader = new Utf8JsonReader(utf8);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        lock (_gate)
        {
            if (order == EventOrder.Gap)
            {
                GapsSeen++;
            }

            switch (frame.Kind)
            {
                case FrameKind.Commit:
                    var message = root.GetProperty("message");
                    // Already shown when a `committed` answer came first; a second copy at another seq (stored
                    // twice) is shown twice, so the tests see it.
                    var entry = (message.GetProperty("clientMessageId").GetString()!, frame.Seq);
                    if (!_log.Contains(entry))
                    {
                        _log.Add(entry);
                    }

                    _drafts.Remove(message.GetProperty("connectionId").GetString()!);
                    break;
                case FrameKind.Chunk:
                    var text = root.GetProperty("text").GetString()!;
                    var sender = root.GetProperty("connectionId").GetString()!;
                    if (text.Length == 0)
                    {
                        _drafts.Remove(sender);
                    }
                    else
                    {
                        _drafts[sender] = text;
                    }

                    break;
                default:
                    switch (root.GetProperty("type").GetString())
                    {
                        case "cleared":
                            _drafts.Remove(root.GetProperty("connectionId").GetString()!);
                            break;
                        case "joined":
                            _participants.Add(root.GetProperty("participant").GetProperty("connectionId").GetString()!);
                            break;
                        case "left":
                            var left = root.GetProperty("connectionId").GetString()!;
                            _participants.Remove(left);
                            _drafts.Remove(left);
                            break;
                    }

                    break;
            }

            Pulse();
        }
    }

    void IChatSocketEvents.OnDisconnected(string reason, bool wasLive)
    {
        lock (_gate)
        {
            Pulse();
        }
    }

    private void Pulse()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    public ValueTask DisposeAsync() => _socket.DisposeAsync();
}
