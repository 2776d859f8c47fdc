using System.Globalization;
using System.Numerics;
using System.Text;

namespace ToolOrchestra.Environments.Tau2.Json;

/// <summary>
/// Python float semantics that tau2 results depend on: <c>repr</c> (shortest round-trip, ".0" kept on integral values,
/// exponent form outside 1e-4..1e16), <c>round(x, n)</c> (correctly rounded, half-even on the exact binary value) and
/// <c>format(x, ".nf")</c> (same rounding). .NET's own rounding and "F2" formatting differ on ties, hence this class.
/// </summary>
public static class PyFloat
{
    public static string Repr(double x)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsPositiveInfinity(x)) return "inf";
        if (double.IsNegativeInfinity(x)) return "-inf";
        if (x == 0) return double.IsNegative(x) ? "-0.0" : "0.0";

        var (negative, digits, decpt) = ShortestDigits(x);
        var sb = new StringBuilder(24);
        if (negative) sb.Append('-');
        if (decpt <= -4 || decpt > 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1) sb.Append('.').Append(digits, 1, digits.Length - 1);
            var exp = decpt - 1;
            sb.Append('e').Append(exp < 0 ? '-' : '+').Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decpt <= 0)
        {
            sb.Append("0.").Append('0', -decpt).Append(digits);
        }
        else if (decpt >= digits.Length)
        {
            sb.Append(digits).Append('0', decpt - digits.Length).Append(".0");
        }
        else
        {
            sb.Append(digits, 0, decpt).Append('.').Append(digits, decpt, digits.Length - decpt);
        }
        return sb.ToString();
    }

    /// <summary>Python <c>round(x, ndigits)</c> for ndigits ≥ 0.</summary>
    public static double Round(double x, int ndigits)
    {
        if (!double.IsFinite(x) || x == 0) return x;
        var (negative, mantissa, exponent) = Decompose(x);
        if (exponent >= 0) return x; // an integer already
        var scaled = RoundedScaled(mantissa, exponent, ndigits);
        var text = scaled.ToString(CultureInfo.InvariantCulture) + "E-" + ndigits.ToString(CultureInfo.InvariantCulture);
        var result = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return negative ? -result : result;
    }

    /// <summary>Python <c>format(x, f".{ndigits}f")</c>.</summary>
    public static string FormatFixed(double x, int ndigits)
    {
        if (double.IsNaN(x)) return "nan";
        if (double.IsInfinity(x)) return x > 0 ? "inf" : "-inf";
        var (negative, mantissa, exponent) = Decompose(x);
        BigInteger scaled = exponent >= 0
            ? mantissa * BigInteger.Pow(2, exponent) * BigInteger.Pow(10, ndigits)
            : RoundedScaled(mantissa, exponent, ndigits);
        var digits = scaled.ToString(CultureInfo.InvariantCulture);
        if (ndigits > 0)
        {
            if (digits.Length <= ndigits) digits = new string('0', ndigits - digits.Length + 1) + digits;
            digits = digits[..^ndigits] + "." + digits[^ndigits..];
        }
        return (negative ? "-" : "") + digits;
    }

    /// <summary>round_half_even(mantissa · 2^exponent · 10^ndigits) for exponent &lt; 0, computed exactly.</summary>
    private static BigInteger RoundedScaled(BigInteger mantissa, int exponent, int ndigits)
    {
        var numerator = mantissa * BigInteger.Pow(10, ndigits);
        var denominator = BigInteger.One << -exponent;
        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        var twice = remainder * 2;
        var cmp = twice.CompareTo(denominator);
        if (cmp > 0 || (cmp == 0 && !quotient.IsEven)) quotient += 1;
        return quotient;
    }

    private static (bool Negative, BigInteger Mantissa, int Exponent) Decompose(double x)
    {
        var bits = BitConverter.DoubleToInt64Bits(x);
        var negative = bits < 0;
        var exponentBits = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & 0xFFFFFFFFFFFFFL;
        return exponentBits == 0
            ? (negative, new BigInteger(fraction), -1074)
            : (negative, new BigInteger(fraction | (1L << 52)), exponentBits - 1075);
    }

    /// <summary>Shortest round-trip digits (no leading/trailing zeros) and the decimal point position.</summary>
    private static (bool Negative, string Digits, int DecimalPoint) ShortestDigits(double x)
    {
        var r = x.ToString("R", CultureInfo.InvariantCulture);
        var negative = r[0] == '-';
        if (negative) r = r[1..];
        var exp = 0;
        var e = r.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exp = int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        var dot = r.IndexOf('.');
        var intPart = dot >= 0 ? r[..dot] : r;
        var fracPart = dot >= 0 ? r[(dot + 1)..] : "";
        var all = intPart + fracPart;
        var decpt = intPart.Length + exp;
        var start = 0;
        while (start < all.Length - 1 && all[start] == '0') { start++; decpt--; }
        var digits = all[start..].TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        return (negative, digits, decpt);
    }
}
