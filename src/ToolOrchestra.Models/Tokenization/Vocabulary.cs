using System.Runtime.CompilerServices;

namespace ToolOrchestra.Models.Tokenization;

/// <summary>
/// The BPE vocabulary as the bytes each token stands for, stored back to back, with an open-addressing hash table
/// from bytes to id. Keeping bytes instead of 151k strings makes loading fast and decoding a copy.
/// As in the reference, a later entry wins: for the same bytes (lookup) and for the same id (its bytes).
/// </summary>
internal sealed class Vocabulary
{
    private byte[] blob = new byte[1 << 20];
    private int blobLength;
    private int[] entryStart = new int[1 << 10];
    private int[] entryLength = new int[1 << 10];
    private int[] entryId = new int[1 << 10];
    private int entries;
    private int[] idEntry = NewIdEntries(1 << 10); // -1: no token has this id
    private int[] slots = new int[1 << 19];        // entry + 1; 0 marks an empty slot
    private int used;

    /// <summary>One more than the highest id added.</summary>
    public int IdLimit { get; private set; }

    public bool Has(int id) => (uint)id < (uint)IdLimit && idEntry[id] >= 0;

    public ReadOnlySpan<byte> Bytes(int id) => EntryBytes(idEntry[id]);

    private ReadOnlySpan<byte> EntryBytes(int entry) => blob.AsSpan(entryStart[entry], entryLength[entry]);

    public void Add(ReadOnlySpan<byte> bytes, int id)
    {
        if (blobLength + bytes.Length > blob.Length) Array.Resize(ref blob, Math.Max(blob.Length * 2, blobLength + bytes.Length));
        if (entries == entryStart.Length)
        {
            Array.Resize(ref entryStart, entries * 2);
            Array.Resize(ref entryLength, entries * 2);
            Array.Resize(ref entryId, entries * 2);
        }
        bytes.CopyTo(blob.AsSpan(blobLength));
        var entry = entries++;
        entryStart[entry] = blobLength;
        entryLength[entry] = bytes.Length;
        entryId[entry] = id;
        blobLength += bytes.Length;

        if (id >= idEntry.Length)
        {
            var grown = NewIdEntries(Math.Max(idEntry.Length * 2, id + 1));
            idEntry.CopyTo(grown, 0);
            idEntry = grown;
        }
        idEntry[id] = entry;
        IdLimit = Math.Max(IdLimit, id + 1);

        if ((used + 1) * 2 > slots.Length) Grow();
        var slot = Find(bytes);
        if (slots[slot] == 0) used++;
        slots[slot] = entry + 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetId(ReadOnlySpan<byte> bytes, out int id)
    {
        var entry = slots[Find(bytes)] - 1;
        id = entry >= 0 ? entryId[entry] : -1;
        return entry >= 0;
    }

    private int Find(ReadOnlySpan<byte> bytes)
    {
        var mask = slots.Length - 1;
        var slot = (int)Hash(bytes) & mask;
        while (true)
        {
            var entry = slots[slot];
            if (entry == 0 || EntryBytes(entry - 1).SequenceEqual(bytes)) return slot;
            slot = (slot + 1) & mask;
        }
    }

    private static uint Hash(ReadOnlySpan<byte> bytes)
    {
        var h = 0x811c9dc5u;
        foreach (var b in bytes) h = (h ^ b) * 0x01000193u;
        return h ^ (h >> 15);
    }

    private void Grow()
    {
        var old = slots;
        slots = new int[old.Length * 2];
        foreach (var entry in old)
            if (entry != 0) slots[Find(EntryBytes(entry - 1))] = entry;
    }

    private static int[] NewIdEntries(int size)
    {
        var ids = new int[size];
        Array.Fill(ids, -1);
        return ids;
    }
}
