using System.Collections.Concurrent;
using System.Text;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// Byte-level BPE for one piece of pre-tokenized text: the piece's UTF-8 bytes start as one token each, then the
/// adjacent pair with the lowest merge rank is merged (leftmost first on ties) until no pair can merge — the
/// reference's order. Results are cached per piece, since the same words recur.
/// </summary>
internal sealed class BytePairEncoder
{
    /// <summary>Pieces up to this many bytes merge with a linear scan; longer ones use a priority queue.</summary>
    internal static int LinearScanLimit = 64;

    private const int MaxCachedPieceLength = 128;
    private const int MaxCacheEntries = 400_000;

    private readonly MergeTable merges;
    private readonly int[] byteIds;
    private readonly int[][] asciiPieces;
    private readonly ConcurrentDictionary<string, int[]> cache = new(Environment.ProcessorCount, 4096);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> cacheBySpan;
    private int cached;

    [ThreadStatic] private static Scratch? scratch;

    public BytePairEncoder(MergeTable merges, int[] byteIds)
    {
        this.merges = merges;
        this.byteIds = byteIds;
        asciiPieces = new int[128][];
        for (var c = 0; c < 128; c++) asciiPieces[c] = [byteIds[c]];
        cacheBySpan = cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The token ids of <paramref name="piece"/>. The returned array is shared: never modify it.</summary>
    public int[] Encode(ReadOnlySpan<char> piece)
    {
        if (piece.Length == 1 && piece[0] < 0x80) return asciiPieces[piece[0]];
        if (cacheBySpan.TryGetValue(piece, out var hit)) return hit;

        var ids = Merge(piece);
        if (piece.Length <= MaxCachedPieceLength && cacheBySpan.TryAdd(piece, ids)
            && Interlocked.Increment(ref cached) > MaxCacheEntries)
        {
            // Unbounded text must not grow memory without bound: start afresh (ConcurrentDictionary.Count would lock).
            Interlocked.Exchange(ref cached, 0);
            cache.Clear();
        }
        return ids;
    }

    private int[] Merge(ReadOnlySpan<char> piece)
    {
        var s = scratch ??= new Scratch();
        // Lone surrogates become U+FFFD's bytes, as JavaScript's TextEncoder does.
        var byteCount = Encoding.UTF8.GetMaxByteCount(piece.Length);
        s.Ensure(byteCount);
        var length = Encoding.UTF8.GetBytes(piece, s.Bytes);
        var symbols = s.Symbols;
        for (var i = 0; i < length; i++) symbols[i] = byteIds[s.Bytes[i]];

        length = length <= LinearScanLimit ? MergeByScan(symbols, s.Ranks, length) : MergeByQueue(s, length);
        return symbols.AsSpan(0, length).ToArray();
    }

    /// <summary>O(n²) in the worst case but allocation-free and fastest for the short pieces that dominate text.</summary>
    private int MergeByScan(int[] symbols, int[] ranks, int length)
    {
        for (var i = 0; i + 1 < length; i++) ranks[i] = merges.Rank(symbols[i], symbols[i + 1]);
        while (length > 1)
        {
            var best = int.MaxValue;
            var at = -1;
            for (var i = 0; i + 1 < length; i++)
            {
                if (ranks[i] < best)
                {
                    best = ranks[i];
                    at = i;
                }
            }
            if (at < 0) break;

            symbols[at] = merges.Result(best);
            var tail = length - at - 2; // symbols after the merged right-hand one
            Array.Copy(symbols, at + 2, symbols, at + 1, tail);
            if (tail > 0) Array.Copy(ranks, at + 2, ranks, at + 1, tail - 1);
            length--;
            if (at > 0) ranks[at - 1] = merges.Rank(symbols[at - 1], symbols[at]);
            if (at + 1 < length) ranks[at] = merges.Rank(symbols[at], symbols[at + 1]);
        }
        return length;
    }

    /// <summary>Merges over a linked list with a priority queue ordered by (rank, position): O(n log n).</summary>
    private int MergeByQueue(Scratch s, int length)
    {
        var symbols = s.Symbols;
        var next = s.Next;
        var prev = s.Prev;
        var queue = s.Queue;
        queue.Clear();
        for (var i = 0; i < length; i++)
        {
            prev[i] = i - 1;
            next[i] = i + 1 < length ? i + 1 : -1;
        }
        for (var i = 0; i + 1 < length; i++) Push(queue, i, merges.Rank(symbols[i], symbols[i + 1]));

        while (queue.TryDequeue(out var at, out var priority))
        {
            var rank = (int)(priority >> 32);
            var right = next[at];
            if (symbols[at] < 0 || right < 0 || merges.Rank(symbols[at], symbols[right]) != rank) continue; // stale

            symbols[at] = merges.Result(rank);
            symbols[right] = -1;
            var after = next[right];
            next[at] = after;
            if (after >= 0) prev[after] = at;
            if (prev[at] >= 0) Push(queue, prev[at], merges.Rank(symbols[prev[at]], symbols[at]));
            if (after >= 0) Push(queue, at, merges.Rank(symbols[at], symbols[after]));
        }

        var count = 0;
        for (var i = 0; i >= 0; i = next[i]) symbols[count++] = symbols[i];
        return count;
    }

    private static void Push(PriorityQueue<int, long> queue, int at, int rank)
    {
        if (rank != int.MaxValue) queue.Enqueue(at, ((long)rank << 32) | (uint)at);
    }

    private sealed class Scratch
    {
        public byte[] Bytes = new byte[256];
        public int[] Symbols = new int[256];
        public int[] Ranks = new int[256];
        public int[] Next = new int[256];
        public int[] Prev = new int[256];
        public readonly PriorityQueue<int, long> Queue = new();

        public void Ensure(int size)
        {
            if (Bytes.Length >= size) return;
            var n = Math.Max(size, Bytes.Length * 2);
            Bytes = new byte[n];
            Symbols = new int[n];
            Ranks = new int[n];
            Next = new int[n];
            Prev = new int[n];
        }
    }
}
