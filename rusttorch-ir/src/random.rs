//! Random numbers for `rand`/`randn`: the generators that hand out one seed per call, and the
//! xoshiro256++ sequence that fills a tensor from its seed.
//!
//! A [`Generator`] is a splitmix64 sequence of seeds: each `rand`/`randn` call takes the next one
//! and fills its tensor from it ([`Xoshiro256`]). Two generators given the same seed therefore
//! give the same tensors call after call, and a call with an explicit seed leaves every
//! generator where it was ([`draw_seed`]).

use std::sync::{Mutex, OnceLock, PoisonError};

/// Splitmix64's increment (the golden ratio in 64 bits).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Splitmix64's output function: a well-mixed 64-bit value of the counter `z`.
fn splitmix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256++: fast, statistically strong, reproducible across platforms.
pub struct Xoshiro256 {
    s: [u64; 4],
}

impl Xoshiro256 {
    /// Seeds the state from `seed` with splitmix64.
    pub fn new(seed: u64) -> Xoshiro256 {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(GAMMA);
            splitmix64(z)
        };
        Xoshiro256 { s: [next(), next(), next(), next()] }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let r = (s[0].wrapping_add(s[3])).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        r
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box-Muller; one of the pair is used).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Where a generator is in its sequence of seeds: `(initial, drawn)`, the seed it was started
/// from and how many seeds it has handed out since. Putting a generator back to a state
/// replays the seeds that followed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedState {
    /// The seed the sequence was started from.
    pub initial: u64,
    /// How many seeds it has handed out since.
    pub drawn: u64,
}

impl SeedState {
    /// The start of the sequence of `seed`.
    pub fn new(seed: u64) -> SeedState {
        SeedState { initial: seed, drawn: 0 }
    }

    /// The next seed (splitmix64 of `initial + (drawn + 1) * GAMMA`).
    pub fn next_seed(&mut self) -> u64 {
        self.drawn = self.drawn.wrapping_add(1);
        splitmix64(self.initial.wrapping_add(self.drawn.wrapping_mul(GAMMA)))
    }
}

/// A seed from the clock and the process id, for generators nobody seeded.
pub fn fresh_seed() -> u64 {
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(1);
    (t as u64) ^ ((std::process::id() as u64) << 32)
}

/// A stream of seeds shared between threads (PyTorch's `torch.Generator`): each `rand`/`randn`
/// call takes the next seed of its generator.
#[derive(Debug)]
pub struct Generator {
    state: Mutex<SeedState>,
}

impl Generator {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Generator {
        Generator { state: Mutex::new(SeedState::new(seed)) }
    }

    /// A generator started from a seed taken from the clock ([`fresh_seed`]).
    pub fn from_clock() -> Generator {
        Generator::new(fresh_seed())
    }

    fn with<T>(&self, f: impl FnOnce(&mut SeedState) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The next seed of the stream.
    pub fn next_seed(&self) -> u64 {
        self.with(SeedState::next_seed)
    }

    /// Restarts the stream from `seed`.
    pub fn manual_seed(&self, seed: u64) {
        self.set_state(SeedState::new(seed));
    }

    /// Restarts the stream from a seed taken from the clock, and returns that seed.
    pub fn reseed_from_clock(&self) -> u64 {
        let seed = fresh_seed();
        self.manual_seed(seed);
        seed
    }

    /// The seed the stream was last started from.
    pub fn initial_seed(&self) -> u64 {
        self.state().initial
    }

    /// Where the stream is now.
    pub fn state(&self) -> SeedState {
        self.with(|s| *s)
    }

    /// Puts the stream back where [`Generator::state`] found it.
    pub fn set_state(&self, state: SeedState) {
        self.with(|s| *s = state);
    }
}

/// The generator that `rand`/`randn` draw from when given neither a seed nor a generator,
/// seeded from the clock until [`Generator::manual_seed`].
pub fn default_generator() -> &'static Generator {
    static DEFAULT: OnceLock<Generator> = OnceLock::new();
    DEFAULT.get_or_init(Generator::from_clock)
}

/// The seed of one `rand`/`randn` call: `seed` as given (no generator moves), else the next
/// seed of `generator`, else of the [`default_generator`].
pub fn draw_seed(seed: Option<u64>, generator: Option<&Generator>) -> u64 {
    match (seed, generator) {
        (Some(s), _) => s,
        (None, Some(g)) => g.next_seed(),
        (None, None) => default_generator().next_seed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_of_one_seed_agree_and_states_replay() {
        let (a, b) = (Generator::new(7), Generator::new(7));
        let first: Vec<u64> = (0..3).map(|_| a.next_seed()).collect();
        assert_eq!(first, (0..3).map(|_| b.next_seed()).collect::<Vec<_>>());
        assert_eq!(first.iter().collect::<std::collections::HashSet<_>>().len(), 3, "distinct seeds");
        assert_ne!(first[0], Generator::new(8).next_seed());
        // The first seed is splitmix64's first output for the seed.
        assert_eq!(first[0], splitmix64(7u64.wrapping_add(GAMMA)));
        let saved = a.state();
        assert_eq!(saved, SeedState { initial: 7, drawn: 3 });
        let next = a.next_seed();
        a.set_state(saved);
        assert_eq!(a.next_seed(), next);
        a.manual_seed(7);
        assert_eq!((a.initial_seed(), a.next_seed()), (7, first[0]));
    }

    #[test]
    fn an_explicit_seed_moves_no_generator() {
        let g = Generator::new(1);
        assert_eq!(draw_seed(Some(42), Some(&g)), 42);
        assert_eq!(g.state().drawn, 0);
        assert_eq!(draw_seed(None, Some(&g)), Generator::new(1).next_seed());
        assert_eq!(g.state().drawn, 1);
    }
}
