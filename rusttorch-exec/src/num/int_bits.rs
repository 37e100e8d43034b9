//! The integer operations whose rule depends on signedness (`abs`, Python's `//` and `%`,
//! powers, sort keys), so one `Num` implementation serves int32, int64 and uint64.

/// Signed and unsigned integers' versions of the sign-dependent ops.
pub(super) trait IntBits: Copy {
    /// `|x|`, wrapping (`|MIN| == MIN`); the identity on unsigned ints.
    fn wrapping_abs_any(self) -> Self;
    /// Python's `a // b` (`b != 0`): rounds toward negative infinity.
    fn py_floor_div(self, b: Self) -> Self;
    /// Python's `a % b` (`b != 0`): the divisor's sign.
    fn py_rem(self, b: Self) -> Self;
    /// `self^e`, wrapping; a negative exponent gives `1/self^|e|` truncated toward zero.
    fn int_pow(self, e: Self) -> Self;
    /// An unsigned key of `bits` bits that orders as the values do.
    fn order_bits(self, bits: u32) -> u64;
}

macro_rules! signed_bits {
    ($t:ident) => {
        impl IntBits for $t {
            #[inline(always)]
            fn wrapping_abs_any(self) -> Self {
                self.wrapping_abs()
            }
            #[inline(always)]
            fn py_floor_div(self, b: Self) -> Self {
                let (q, r) = (self.wrapping_div(b), self.wrapping_rem(b));
                if r != 0 && ((r < 0) != (b < 0)) {
                    q.wrapping_sub(1)
                } else {
                    q
                }
            }
            #[inline(always)]
            fn py_rem(self, b: Self) -> Self {
                let r = self.wrapping_rem(b);
                if r != 0 && ((r < 0) != (b < 0)) {
                    r.wrapping_add(b)
                } else {
                    r
                }
            }
            #[inline(always)]
            fn int_pow(self, e: Self) -> Self {
                match e {
                    e if e >= 0 => self.wrapping_pow(u32::try_from(e).unwrap_or(u32::MAX)),
                    e => match self {
                        1 => 1,
                        -1 => {
                            if e % 2 == 0 {
                                1
                            } else {
                                -1
                            }
                        }
                        _ => 0,
                    },
                }
            }
            #[inline(always)]
            fn order_bits(self, bits: u32) -> u64 {
                // Two's complement with the sign bit flipped orders as unsigned.
                ((self as i64 as u64) & (u64::MAX >> (64 - bits))) ^ (1 << (bits - 1))
            }
        }
    };
}
signed_bits!(i32);
signed_bits!(i64);

impl IntBits for u64 {
    #[inline(always)]
    fn wrapping_abs_any(self) -> Self {
        self
    }
    #[inline(always)]
    fn py_floor_div(self, b: Self) -> Self {
        self / b
    }
    #[inline(always)]
    fn py_rem(self, b: Self) -> Self {
        self % b
    }
    #[inline(always)]
    fn int_pow(self, e: Self) -> Self {
        self.wrapping_pow(u32::try_from(e).unwrap_or(u32::MAX))
    }
    #[inline(always)]
    fn order_bits(self, _: u32) -> u64 {
        self
    }
}
