using System.Globalization;
using System.Numerics;
using ToolOrchestra.Environments.Tau2.Json;

namespace ToolOrchestra.Environments.Tau2;

/// <summary>
/// The <c>calculate</c> tool: upstream checks the characters (digits, + - * / ( ) . and space), evaluates the text as a
/// Python expression and returns <c>str(round(float(result), 2))</c>. This evaluates the same grammar with Python's
/// numeric rules (int vs float, true division, //, **), without any code execution.
/// </summary>
public static class Calculator
{
    public static string Calculate(string expression)
    {
        foreach (var c in expression)
            if (!"0123456789+-*/(). ".Contains(c)) throw new ToolError("Invalid characters in expression");
        var parser = new Parser(expression);
        var value = parser.ParseAll();
        var asFloat = value.IsFloat ? value.Float : ToFloat(value.Int);
        return PyFloat.Repr(PyFloat.Round(asFloat, 2));
    }

    private readonly record struct Value(bool IsFloat, BigInteger Int, double Float)
    {
        public static Value Of(BigInteger i) => new(false, i, 0);
        public static Value Of(double d) => new(true, BigInteger.Zero, d);
        public double AsDouble => IsFloat ? Float : ToFloat(Int);
    }

    private static double ToFloat(BigInteger i)
    {
        var d = (double)i;
        if (double.IsInfinity(d)) throw new ToolError("int too large to convert to float");
        return d;
    }

    private sealed class Parser(string text)
    {
        private int _pos;

        public Value ParseAll()
        {
            SkipSpaces();
            if (_pos >= text.Length) throw Syntax();
            var v = Expr();
            SkipSpaces();
            if (_pos < text.Length) throw Syntax();
            return v;
        }

        private static ToolError Syntax() => new("invalid syntax (<string>, line 1)");

        private void SkipSpaces()
        {
            while (_pos < text.Length && text[_pos] == ' ') _pos++;
        }

        private bool Peek(string op)
        {
            SkipSpaces();
            return string.CompareOrdinal(text, _pos, op, 0, op.Length) == 0;
        }

        private Value Expr()
        {
            var left = Term();
            while (true)
            {
                if (Peek("+")) { _pos++; left = Add(left, Term(), +1); }
                else if (Peek("-")) { _pos++; left = Add(left, Term(), -1); }
                else return left;
            }
        }

        private Value Term()
        {
            var left = Factor();
            while (true)
            {
                if (Peek("**")) return left; // handled in Power
                if (Peek("//")) { _pos += 2; left = FloorDiv(left, Factor()); }
                else if (Peek("*")) { _pos++; left = Mul(left, Factor()); }
                else if (Peek("/")) { _pos++; left = TrueDiv(left, Factor()); }
                else return left;
            }
        }

        private Value Factor()
        {
            if (Peek("+")) { _pos++; return Factor(); }
            if (Peek("-"))
            {
                _pos++;
                var v = Factor();
                return v.IsFloat ? Value.Of(-v.Float) : Value.Of(-v.Int);
            }
            return Power();
        }

        private Value Power()
        {
            var b = Atom();
            if (Peek("**"))
            {
                _pos += 2;
                var e = Factor();
                return Pow(b, e);
            }
            return b;
        }

        private Value Atom()
        {
            SkipSpaces();
            if (_pos >= text.Length) throw Syntax();
            if (text[_pos] == '(')
            {
                _pos++;
                SkipSpaces();
                if (_pos < text.Length && text[_pos] == ')') throw new ToolError("float() argument must be a string or a real number, not 'tuple'");
                var v = Expr();
                SkipSpaces();
                if (_pos >= text.Length || text[_pos] != ')') throw Syntax();
                _pos++;
                return v;
            }
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] == '.')) _pos++;
            var token = text[start.._pos];
            if (token.Length == 0 || token == "." || token.Count(c => c == '.') > 1) throw Syntax();
            if (token.Contains('.'))
                return Value.Of(double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture));
            if (token.Length > 1 && token[0] == '0' && token.Any(c => c != '0'))
                throw new ToolError("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers (<string>, line 1)");
            return Value.Of(BigInteger.Parse(token, CultureInfo.InvariantCulture));
        }

        private static Value Add(Value a, Value b, int sign) =>
            a.IsFloat || b.IsFloat ? Value.Of(a.AsDouble + sign * b.AsDouble) : Value.Of(a.Int + sign * b.Int);

        private static Value Mul(Value a, Value b) =>
            a.IsFloat || b.IsFloat ? Value.Of(a.AsDouble * b.AsDouble) : Value.Of(a.Int * b.Int);

        private static Value TrueDiv(Value a, Value b)
        {
            if (b.IsFloat ? b.Float == 0 : b.Int.IsZero)
                throw new ToolError(a.IsFloat || b.IsFloat ? "float division by zero" : "division by zero");
            return Value.Of(a.AsDouble / b.AsDouble);
        }

        private static Value FloorDiv(Value a, Value b)
        {
            if (b.IsFloat ? b.Float == 0 : b.Int.IsZero)
                throw new ToolError(a.IsFloat || b.IsFloat ? "float floor division by zero" : "integer division or modulo by zero");
            if (a.IsFloat || b.IsFloat) return Value.Of(Math.Floor(a.AsDouble / b.AsDouble));
            var q = BigInteger.DivRem(a.Int, b.Int, out var r);
            if (!r.IsZero && (r.Sign < 0) != (b.Int.Sign < 0)) q -= 1;
            return Value.Of(q);
        }

        private static Value Pow(Value a, Value b)
        {
            if (!a.IsFloat && !b.IsFloat && b.Int.Sign >= 0 && b.Int < 10000) return Value.Of(BigInteger.Pow(a.Int, (int)b.Int));
            if (a.AsDouble == 0 && b.AsDouble < 0) throw new ToolError("0.0 cannot be raised to a negative power");
            return Value.Of(Math.Pow(a.AsDouble, b.AsDouble));
        }
    }
}
