using System.Runtime.CompilerServices;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// The BPE merges as an open-addressing hash table from a pair of token ids to the merge's rank (its line in the
/// merges list; lower merges first) and the id of the merged token. Looked up for every adjacent pair of every
/// piece, so it avoids the per-lookup overhead of a general dictionary.
/// </summary>
internal sealed class MergeTable
{
    private readonly ulong[] keys;   // (left + 1) << 32 | (right + 1); 0 marks an empty slot
    private readonly int[] ranks;
    private readonly int[] results;  // merged token id per rank
    private readonly int mask;

    /// <param name="capacity">The number of lines in the merges list.</param>
    public MergeTable(int capacity)
    {
        var size = 16;
        while (size < capacity * 2) size <<= 1;
        keys = new ulong[size];
        ranks = new int[size];
        results = new int[capacity];
        mask = size - 1;
    }

    public int Count { get; private set; }

    /// <summary>
    /// Adds the merge on line <paramref name="rank"/> of the merges list. A pair listed twice takes its later rank,
    /// as the reference's map from pair to line does.
    /// </summary>
    public void Add(int left, int right, int merged, int rank)
    {
        var key = Key(left, right);
        var slot = Slot(key);
        while (keys[slot] != 0 && keys[slot] != key) slot = (slot + 1) & mask;
        if (keys[slot] == 0) Count++;
        keys[slot] = key;
        ranks[slot] = rank;
        results[rank] = merged;
    }

    /// <summary>The rank of merging <paramref name="left"/> with <paramref name="right"/>, or <see cref="int.MaxValue"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Rank(int left, int right)
    {
        var key = Key(left, right);
        var slot = Slot(key);
        while (true)
        {
            var k = keys[slot];
            if (k == key) return ranks[slot];
            if (k == 0) return int.MaxValue;
            slot = (slot + 1) & mask;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Result(int rank) => results[rank];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Key(int left, int right) => ((ulong)(uint)(left + 1) << 32) | (uint)(right + 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> 40) & mask;
}
