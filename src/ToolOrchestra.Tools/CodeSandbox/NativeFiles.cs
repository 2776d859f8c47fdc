using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ToolOrchestra.Tools.CodeSandbox;

/// <summary>
/// Anonymous in-memory files (memfd_create). bubblewrap takes its seccomp program as a file descriptor, and .NET can
/// hand a child process a descriptor only by leaving it inheritable (no close-on-exec) while the child starts.
/// </summary>
internal static class NativeFiles
{
    private const uint CloseOnExec = 1; // MFD_CLOEXEC

    public static SafeFileHandle MemoryFile(string name, bool inheritable)
    {
        var fd = memfd_create(name, inheritable ? 0 : CloseOnExec);
        if (fd < 0) throw new Win32Exception(Marshal.GetLastPInvokeError(), "memfd_create failed");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>An inheritable in-memory file holding <paramref name="bytes"/>, its offset at 0 for the child's reads.</summary>
    public static SafeFileHandle InheritableCopy(string name, byte[] bytes)
    {
        var file = MemoryFile(name, inheritable: true);
        RandomAccess.Write(file, bytes, 0); // pwrite: the shared offset stays at 0
        return file;
    }

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int memfd_create(string name, uint flags);
}
