//! Arbitrary-precision decimals, as Java's `BigDecimal`: an unscaled big integer and a scale.

use std::fmt;
use std::str::FromStr;

/// The most digits a decimal may gain by rescaling or parsing an exponent: bounds the memory a
/// hostile scale (e.g. `"scale":"2000000000"`) can make a conversion use.
const MAX_ADDED_DIGITS: u64 = 10_000;

/// A decimal number: `unscaled × 10^-scale`, the value of Connect's Decimal logical type.
///
/// The unscaled value is kept as Java's `BigInteger.toByteArray()` gives it (big-endian two's
/// complement, minimal length), which is also what Connect's Decimal BYTES encoding and the
/// JSON converter's `BASE64` format carry. Equality is of representation: `1.50` (150, scale 2)
/// differs from `1.5` (15, scale 1), as with `BigDecimal::equals`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    unscaled: Vec<u8>,
    scale: i32,
}

impl Decimal {
    /// A decimal from big-endian two's-complement unscaled bytes (any length; empty reads as 0).
    pub fn from_unscaled_bytes(bytes: &[u8], scale: i32) -> Decimal {
        Decimal {
            unscaled: minimal(bytes),
            scale,
        }
    }

    /// A decimal from a 128-bit unscaled value.
    pub fn from_i128(unscaled: i128, scale: i32) -> Decimal {
        Decimal::from_unscaled_bytes(&unscaled.to_be_bytes(), scale)
    }

    /// The unscaled value as minimal big-endian two's-complement bytes (Java's
    /// `BigInteger.toByteArray()`).
    pub fn unscaled_bytes(&self) -> &[u8] {
        &self.unscaled
    }

    /// What goes before [`Decimal::unscaled_bytes`] to make the two's complement exactly `size`
    /// bytes long (an Avro fixed's): how many sign bytes, and their value; `None` if the value
    /// takes more than `size` bytes.
    pub fn fixed_padding(&self, size: usize) -> Option<(usize, u8)> {
        let fill = size.checked_sub(self.unscaled.len())?;
        let negative = self.unscaled.first().is_some_and(|&b| b & 0x80 != 0);
        Some((fill, if negative { 0xff } else { 0 }))
    }

    /// The unscaled value as a two's complement of exactly `size` bytes; `None` if it takes more.
    pub fn to_fixed(&self, size: usize) -> Option<Vec<u8>> {
        let (fill, sign) = self.fixed_padding(size)?;
        let mut b = vec![sign; fill];
        b.extend_from_slice(&self.unscaled);
        Some(b)
    }

    /// Digits after the decimal point (negative: zeros before it).
    pub fn scale(&self) -> i32 {
        self.scale
    }

    /// The unscaled value, if it fits in 128 bits.
    pub fn unscaled_i128(&self) -> Option<i128> {
        if self.unscaled.len() > 16 {
            return None;
        }
        let fill = if self.is_negative() { 0xff } else { 0 };
        let mut buf = [fill; 16];
        buf[16 - self.unscaled.len()..].copy_from_slice(&self.unscaled);
        Some(i128::from_be_bytes(buf))
    }

    fn is_negative(&self) -> bool {
        self.unscaled.first().is_some_and(|b| b & 0x80 != 0)
    }

    /// The same number with another scale, if no digit is lost and the result stays within a
    /// sane size; `None` otherwise.
    pub fn rescale(&self, scale: i32) -> Option<Decimal> {
        if scale == self.scale {
            return Some(self.clone());
        }
        let (negative, mut digits) = self.magnitude_digits();
        let diff = i64::from(scale) - i64::from(self.scale);
        if diff > 0 {
            if diff as u64 > MAX_ADDED_DIGITS {
                return None;
            }
            if digits != "0" {
                digits.extend(std::iter::repeat_n('0', diff as usize));
            }
        } else {
            let drop = diff.unsigned_abs();
            let keep = (digits.len() as u64).saturating_sub(drop) as usize;
            if digits[keep..].bytes().any(|b| b != b'0') {
                return None;
            }
            digits.truncate(keep);
            if digits.is_empty() {
                digits.push('0');
            }
        }
        Some(Decimal {
            unscaled: from_decimal_digits(negative, &digits),
            scale,
        })
    }

    /// Sign and decimal digits of the magnitude of the unscaled value.
    fn magnitude_digits(&self) -> (bool, String) {
        let negative = self.is_negative();
        let mut mag = self.unscaled.clone();
        if negative {
            // Two's complement negation: invert, add one.
            for b in mag.iter_mut() {
                *b = !*b;
            }
            for b in mag.iter_mut().rev() {
                let (v, carry) = b.overflowing_add(1);
                *b = v;
                if !carry {
                    break;
                }
            }
        }
        // Repeated division by 10^9 over big-endian bytes.
        let mut chunks = Vec::new();
        let mut start = mag.iter().position(|&b| b != 0).unwrap_or(mag.len());
        while start < mag.len() {
            let mut rem: u64 = 0;
            for b in mag[start..].iter_mut() {
                let cur = (rem << 8) | u64::from(*b);
                *b = (cur / 1_000_000_000) as u8;
                rem = cur % 1_000_000_000;
            }
            chunks.push(rem as u32);
            while start < mag.len() && mag[start] == 0 {
                start += 1;
            }
        }
        let mut digits = match chunks.pop() {
            None => "0".to_owned(),
            Some(top) => top.to_string(),
        };
        for chunk in chunks.iter().rev() {
            digits.push_str(&format!("{chunk:09}"));
        }
        (negative, digits)
    }
}

/// Minimal two's-complement form: drop leading bytes that only repeat the sign.
fn minimal(bytes: &[u8]) -> Vec<u8> {
    if bytes.is_empty() {
        return vec![0];
    }
    let mut start = 0;
    while start + 1 < bytes.len() {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    bytes[start..].to_vec()
}

/// Two's-complement bytes of a decimal digit string (ASCII digits only).
fn from_decimal_digits(negative: bool, digits: &str) -> Vec<u8> {
    // Little-endian base-256 magnitude, multiplied by 10 and added to digit by digit.
    let mut mag: Vec<u8> = Vec::with_capacity(digits.len() / 2 + 1);
    for d in digits.bytes() {
        let mut carry = u32::from(d - b'0');
        for b in mag.iter_mut() {
            let v = u32::from(*b) * 10 + carry;
            *b = v as u8;
            carry = v >> 8;
        }
        while carry > 0 {
            mag.push(carry as u8);
            carry >>= 8;
        }
    }
    // Room for the sign bit.
    mag.push(0);
    if negative {
        for b in mag.iter_mut() {
            *b = !*b;
        }
        for b in mag.iter_mut() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }
    mag.reverse();
    minimal(&mag)
}

impl fmt::Display for Decimal {
    /// Java's `BigDecimal.toString()`: plain notation unless the scale is negative or the number
    /// is smaller than 10^-6, then scientific (`1.5E+3`, `1E-7`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (negative, digits) = self.magnitude_digits();
        if negative {
            f.write_str("-")?;
        }
        let scale = i64::from(self.scale);
        let adjusted = digits.len() as i64 - 1 - scale;
        if scale >= 0 && adjusted >= -6 {
            let scale = scale as usize;
            if scale == 0 {
                f.write_str(&digits)
            } else if digits.len() > scale {
                let (int, frac) = digits.split_at(digits.len() - scale);
                write!(f, "{int}.{frac}")
            } else {
                write!(f, "0.{}{digits}", "0".repeat(scale - digits.len()))
            }
        } else {
            let (first, rest) = digits.split_at(1);
            f.write_str(first)?;
            if !rest.is_empty() {
                write!(f, ".{rest}")?;
            }
            write!(f, "E{}{adjusted}", if adjusted >= 0 { "+" } else { "" })
        }
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({self})")
    }
}

/// A string that is not a decimal number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid decimal number {0:?}")]
pub struct ParseDecimalError(String);

impl FromStr for Decimal {
    type Err = ParseDecimalError;

    /// Parses `-12.345`, `1e5`, `1.5E-3` (what JSON numbers and `BigDecimal.toString()` look
    /// like); the scale is the number of fraction digits minus the exponent.
    fn from_str(s: &str) -> Result<Decimal, ParseDecimalError> {
        let err = || ParseDecimalError(s.chars().take(64).collect());
        let (negative, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (mantissa, exponent) = match body.find(['e', 'E']) {
            Some(i) => {
                let exp: i64 = body[i + 1..].parse().map_err(|_| err())?;
                (&body[..i], exp)
            }
            None => (body, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(err());
        }
        let scale = (frac.len() as i64)
            .checked_sub(exponent)
            .and_then(|s| i32::try_from(s).ok())
            .ok_or_else(err)?;
        let digits = format!("{int}{frac}");
        let digits = digits.trim_start_matches('0');
        let digits = if digits.is_empty() { "0" } else { digits };
        Ok(Decimal {
            unscaled: from_decimal_digits(negative, digits),
            scale,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bytes_are_java_big_integer_bytes() {
        assert_eq!(Decimal::from_i128(150, 2).unscaled_bytes(), [0x00, 0x96]);
        assert_eq!(Decimal::from_i128(-1, 0).unscaled_bytes(), [0xff]);
        assert_eq!(Decimal::from_i128(-128, 0).unscaled_bytes(), [0x80]);
        assert_eq!(Decimal::from_i128(-129, 0).unscaled_bytes(), [0xff, 0x7f]);
        assert_eq!(Decimal::from_i128(0, 0).unscaled_bytes(), [0x00]);
        assert_eq!(
            Decimal::from_unscaled_bytes(&[], 0).unscaled_bytes(),
            [0x00]
        );
        assert_eq!(
            Decimal::from_unscaled_bytes(&[0, 0, 0, 1], 0).unscaled_bytes(),
            [0x01]
        );
    }

    #[test]
    fn display_is_java_big_decimal_to_string() {
        let cases = [
            (150, 2, "1.50"),
            (-150, 2, "-1.50"),
            (5, 3, "0.005"),
            (1, 7, "1E-7"),
            (123, 0, "123"),
            (15, -2, "1.5E+3"),
            (1, -2, "1E+2"),
            (0, 2, "0.00"),
            (1, 6, "0.000001"),
        ];
        for (unscaled, scale, text) in cases {
            assert_eq!(Decimal::from_i128(unscaled, scale).to_string(), text);
        }
        let big = Decimal::from_unscaled_bytes(&[0x7f; 20], 0);
        // Values computed independently (Python's int.from_bytes).
        assert_eq!(
            big.to_string(),
            "727885129180488904360266563744972327436484050815"
        );
        let mut min = vec![0u8; 20];
        min[0] = 0x80;
        let min = Decimal::from_unscaled_bytes(&min, 3);
        assert_eq!(
            min.to_string(),
            "-730750818665451459101842416358141509827966271.488"
        );
        assert_eq!(min.to_string().parse::<Decimal>().unwrap(), min);
    }

    #[test]
    fn parse() {
        let cases = [
            ("1.50", 150, 2),
            ("-0.005", -5, 3),
            ("1e5", 1, -5),
            ("1.5E-3", 15, 4),
            ("0", 0, 0),
            ("-0.0", 0, 1),
            ("1.0", 10, 1),
        ];
        for (text, unscaled, scale) in cases {
            assert_eq!(
                text.parse::<Decimal>().unwrap(),
                Decimal::from_i128(unscaled, scale),
                "{text}"
            );
        }
        for bad in [
            "",
            "-",
            ".",
            "1.2.3",
            "1e",
            "abc",
            "1e99999999999",
            "0x10",
            "1e-9223372036854775808",
            "1e9223372036854775807",
        ] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad}");
        }
    }

    #[test]
    fn rescale_is_exact_or_refused() {
        let d = Decimal::from_i128(15, 1);
        assert_eq!(d.rescale(3), Some(Decimal::from_i128(1500, 3)));
        assert_eq!(Decimal::from_i128(1500, 3).rescale(1), Some(d.clone()));
        assert_eq!(Decimal::from_i128(1501, 3).rescale(1), None);
        assert_eq!(Decimal::from_i128(-1500, 3).rescale(-2), None);
        assert_eq!(
            Decimal::from_i128(0, 3).rescale(-2),
            Some(Decimal::from_i128(0, -2))
        );
        assert_eq!(d.rescale(2_000_000_000), None);
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "[-+0-9.eE]{0,30}") {
            if let Ok(d) = s.parse::<Decimal>() {
                let _ = d.to_string();
                let _ = d.rescale(2);
            }
        }

        #[test]
        fn display_parse_roundtrip(unscaled in any::<i128>(), scale in -20i32..40) {
            let d = Decimal::from_i128(unscaled, scale);
            let back: Decimal = d.to_string().parse().unwrap();
            prop_assert_eq!(back, d.clone());
            prop_assert_eq!(d.unscaled_i128(), Some(unscaled));
        }
    }
}
