using System.Net;
using System.Net.Sockets;

namespace ToolOrchestra.Tools.Web;

/// <summary>
/// Which addresses <see cref="FetchUrlTool"/> may connect to: public ones only. Loopback, private (RFC 1918, IPv6 unique
/// local), link-local (which holds the cloud metadata service 169.254.169.254), carrier-grade NAT, unspecified,
/// multicast and reserved ranges are refused, IPv4-mapped IPv6 judged as the IPv4 it carries. The check runs on the
/// address actually connected to, after DNS resolution, so neither a name resolving inward nor a redirect gets past it.
/// </summary>
public static class PublicAddressGuard
{
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return false;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0                                   // "this network"
                || b[0] == 10                                     // private
                || (b[0] == 100 && (b[1] & 0xC0) == 64)           // carrier-grade NAT 100.64/10
                || b[0] == 127
                || (b[0] == 169 && b[1] == 254)                   // link-local, cloud metadata
                || (b[0] == 172 && (b[1] & 0xF0) == 16)           // private 172.16/12
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)        // IETF protocol assignments
                || (b[0] == 192 && b[1] == 168)                   // private
                || (b[0] == 198 && (b[1] & 0xFE) == 18)           // benchmarking 198.18/15
                || b[0] >= 224);                                  // multicast, reserved, broadcast
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return !(address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any)
                || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC                          // unique local fc00::/7 (fd00:ec2::254 metadata)
                || address.IsIPv4MappedToIPv6 == false && b.Take(12).All(x => x == 0)); // ::/96, IPv4-compatible
        }
        return false;
    }
}

/// <summary>A connection refused by <see cref="PublicAddressGuard"/>.</summary>
public sealed class BlockedAddressException(string host, IPAddress address)
    : IOException($"'{host}' resolves to {address}, a loopback, private, link-local or metadata address; such URLs are refused")
{
    public IPAddress Address => address;
}
