using System.Globalization;
using System.Numerics;

namespace ToolOrchestra.Environments.OfflineWorld;

/// <summary>A generated math problem: the question, its exact answer and a Python program that prints it.</summary>
public sealed record MathProblem(string Question, string Answer, string Solution, int Difficulty);

/// <summary>
/// Pure math tasks with exact answers computed here in C# (the Python solutions compute them independently, by other
/// means where possible, so a test can cross-check both). Difficulty 1 is mental arithmetic a small math model
/// handles; 2 needs careful work or code; 3 needs code.
/// </summary>
public static class MathProblems
{
    private static string S(long v) => v.ToString(CultureInfo.InvariantCulture);

    public static MathProblem Generate(Random random, int difficulty) => difficulty switch
    {
        1 => random.Next(2) == 0 ? ProductPlus(random) : SquareMinus(random),
        2 => random.Next(3) switch { 0 => PrimeSum(random), 1 => DivisorCount(random), _ => Gcd(random) },
        _ => random.Next(3) switch { 0 => PowerMod(random), 1 => FactorialDigitSum(random), _ => DivisibleCount(random) },
    };

    private static MathProblem ProductPlus(Random r)
    {
        long a = r.Next(12, 100), b = r.Next(12, 100), c = r.Next(100, 1000);
        return new($"Compute {a} * {b} + {c}.", S(a * b + c), $"print({a} * {b} + {c})", 1);
    }

    private static MathProblem SquareMinus(Random r)
    {
        long a = r.Next(20, 200), b = r.Next(10, 1000);
        return new($"What is {a} squared minus {b}?", S(a * a - b), $"print({a} ** 2 - {b})", 1);
    }

    private static MathProblem PrimeSum(Random r)
    {
        var n = r.Next(100, 3001);
        var composite = new bool[n];
        long sum = 0;
        for (var i = 2; i < n; i++)
        {
            if (composite[i]) continue;
            sum += i;
            for (long j = (long)i * i; j < n; j += i) composite[j] = true;
        }
        return new($"What is the sum of all prime numbers below {n}?", S(sum),
            $"print(sum(p for p in range(2, {n}) if all(p % d for d in range(2, int(p ** 0.5) + 1))))", 2);
    }

    private static MathProblem DivisorCount(Random r)
    {
        long n = r.Next(10_000, 2_000_001), m = n, count = 1;
        for (long p = 2; p * p <= m; p++)
        {
            var e = 0;
            while (m % p == 0) { m /= p; e++; }
            count *= e + 1;
        }
        if (m > 1) count *= 2;
        return new($"How many positive divisors does {n} have?", S(count),
            $"n = {n}\nprint(sum(2 if d * d != n else 1 for d in range(1, int(n ** 0.5) + 1) if n % d == 0))", 2);
    }

    private static MathProblem Gcd(Random r)
    {
        long g = r.Next(2, 500), a = g * r.Next(100, 2000), b = g * r.Next(100, 2000);
        return new($"What is the greatest common divisor of {a} and {b}?", S((long)BigInteger.GreatestCommonDivisor(a, b)),
            $"a, b = {a}, {b}\nwhile b:\n    a, b = b, a % b\nprint(a)", 2);
    }

    private static MathProblem PowerMod(Random r)
    {
        int a = r.Next(2, 100), k = r.Next(100, 1_000_001), m = r.Next(1000, 100_000);
        return new($"What is the remainder when {a} raised to the power {k} is divided by {m}?",
            BigInteger.ModPow(a, k, m).ToString(CultureInfo.InvariantCulture), $"print(pow({a}, {k}, {m}))", 3);
    }

    private static MathProblem FactorialDigitSum(Random r)
    {
        var n = r.Next(25, 151);
        var f = BigInteger.One;
        for (var i = 2; i <= n; i++) f *= i;
        var digits = f.ToString(CultureInfo.InvariantCulture).Sum(c => c - '0');
        return new($"What is the sum of the digits of {n} factorial?", S(digits),
            $"import math\nprint(sum(int(c) for c in str(math.factorial({n}))))", 3);
    }

    private static MathProblem DivisibleCount(Random r)
    {
        long n = r.Next(10_000, 1_000_001), a = r.Next(3, 20), b = r.Next(3, 20), c = r.Next(2, 12);
        while (b == a) b = r.Next(3, 20);
        while (c == a || c == b) c = r.Next(2, 12);
        // Inclusion–exclusion here; the Python solution counts one by one.
        long Lcm(long x, long y) => x / (long)BigInteger.GreatestCommonDivisor(x, y) * y;
        var union = n / a + n / b - n / Lcm(a, b);
        var unionAndC = n / Lcm(a, c) + n / Lcm(b, c) - n / Lcm(Lcm(a, b), c);
        return new($"How many integers from 1 to {n} are divisible by {a} or {b} but not by {c}?", S(union - unionAndC),
            $"print(sum(1 for i in range(1, {n} + 1) if (i % {a} == 0 or i % {b} == 0) and i % {c} != 0))", 3);
    }
}
