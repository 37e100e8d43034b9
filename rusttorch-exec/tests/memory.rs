//! The executor's result memory: size classes, the pool's bound and eviction order, reuse of
//! large and small buffers, and buffers handed to the IR and taken back (donation).

use rusttorch_exec::memory::{pool_limit, pooled_bytes, set_pool_limit, size_class, PooledVec, HUGE_ALIGN, LARGE};
use rusttorch_ir::{Buffer, Error};
use std::sync::{Mutex, MutexGuard};

/// Tests that change the process-wide limit or count pooled bytes run one at a time.
static GLOBAL: Mutex<()> = Mutex::new(());

const MIB: usize = 1 << 20;

/// Holds the lock of the tests that change the pool, with the pool emptied and its limit set to
/// `limit`; the limit goes back to what it was when this is dropped.
struct PoolAt {
    old: usize,
    _lock: MutexGuard<'static, ()>,
}

impl PoolAt {
    fn limit(limit: usize) -> PoolAt {
        let lock = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
        let old = pool_limit();
        set_pool_limit(0);
        set_pool_limit(limit);
        PoolAt { old, _lock: lock }
    }
}

impl Drop for PoolAt {
    fn drop(&mut self) {
        set_pool_limit(self.old);
    }
}

/// A vector of `bytes` of f32 (a multiple of 4).
fn mib_vec(bytes: usize) -> PooledVec<f32> {
    PooledVec::new(bytes / 4).unwrap()
}

#[test]
fn size_classes_round_to_huge_pages_and_quarter_powers_of_two() {
    assert_eq!(size_class(LARGE), 2 * MIB);
    assert_eq!(size_class(2 * MIB + 1), 4 * MIB);
    assert_eq!(size_class(7 * MIB), 8 * MIB);
    assert_eq!(size_class(9 * MIB), 10 * MIB);
    assert_eq!(size_class(17 * MIB), 20 * MIB);
    assert_eq!(size_class(64 * MIB), 64 * MIB);
    assert_eq!(size_class(64 * MIB + 1), 80 * MIB);
    for bytes in (LARGE..1 << 32).step_by(999_983) {
        let c = size_class(bytes);
        assert!(c >= bytes && c.is_multiple_of(HUGE_ALIGN), "{bytes} -> {c}");
        assert!(c - bytes < (bytes / 4).max(HUGE_ALIGN), "{bytes} wastes {}", c - bytes);
    }
}

#[test]
fn the_pool_keeps_within_its_limit_and_evicts_the_oldest() {
    let _pool = PoolAt::limit(16 * MIB);
    let (a, b, c) = (mib_vec(4 * MIB), mib_vec(6 * MIB), mib_vec(8 * MIB));
    let (pb, pc) = (b.as_ptr(), c.as_ptr());
    drop(a);
    drop(b);
    assert_eq!(pooled_bytes(), 10 * MIB);
    // 18 MiB would exceed 16: the oldest (the 4 MiB one) goes.
    drop(c);
    assert_eq!(pooled_bytes(), 14 * MIB);
    // A buffer larger than the limit is never kept.
    drop(mib_vec(32 * MIB));
    assert_eq!(pooled_bytes(), 14 * MIB);
    // Lowering the limit frees the oldest (the 6 MiB one) until the rest fits.
    set_pool_limit(9 * MIB);
    assert_eq!(pooled_bytes(), 8 * MIB);
    let v = mib_vec(8 * MIB);
    assert_eq!(v.as_ptr(), pc);
    assert_ne!(v.as_ptr(), pb);
    assert_eq!(pooled_bytes(), 0);
    // A zero limit keeps nothing.
    set_pool_limit(0);
    drop(v);
    assert_eq!(pooled_bytes(), 0);
}

#[test]
fn a_freed_buffer_serves_nearby_sizes_and_the_global_limit_holds() {
    let _pool = PoolAt::limit(64 * MIB);
    // 5.0 and 5.9 MiB of f32 share the 6 MiB class.
    let v = PooledVec::<f32>::new(5 * MIB / 4).unwrap();
    let p = v.as_ptr();
    drop(v);
    assert_eq!(pooled_bytes(), 6 * MIB);
    let w = PooledVec::<f32>::new(59 * MIB / 40).unwrap();
    assert_eq!(w.as_ptr(), p, "a nearby size reuses the freed buffer");
    assert_eq!(pooled_bytes(), 0);
    drop(w);
    // Varying sizes never hold more than the limit idle.
    for i in 0..40usize {
        let n = (MIB + i * 997_001 % (7 * MIB)) / 4;
        drop(PooledVec::<f32>::new(n).unwrap());
        assert!(pooled_bytes() <= 64 * MIB);
    }
    set_pool_limit(10 * MIB);
    assert!(pooled_bytes() <= 10 * MIB, "lowering the limit frees idle buffers");
    set_pool_limit(0);
    assert_eq!(pooled_bytes(), 0);
    drop(PooledVec::<f32>::new(MIB).unwrap());
    assert_eq!(pooled_bytes(), 0, "a zero limit disables pooling");
}

#[test]
fn large_buffers_are_recycled() {
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    let n = (LARGE / 4) * 3 + 5;
    let v = PooledVec::<f32>::new(n).unwrap();
    let p = v.as_ptr();
    drop(v);
    let w = PooledVec::<f32>::new(n).unwrap();
    assert_eq!(w.as_ptr(), p, "same-size request reuses the pooled allocation");
    assert_eq!(w.len(), n);
}

#[test]
fn the_most_recently_freed_buffer_comes_back_first() {
    // Its lines are the likeliest to be cached: a loop whose result is dropped before the
    // next call keeps writing into the same memory.
    let _g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    let n = (LARGE / 4) * 5 + 3;
    let (a, b) = (PooledVec::<f32>::new(n).unwrap(), PooledVec::<f32>::new(n).unwrap());
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    drop(a);
    drop(b);
    for _ in 0..3 {
        let v = PooledVec::<f32>::new(n).unwrap();
        assert_eq!(v.as_ptr(), pb);
        drop(v);
    }
    let (v, w) = (PooledVec::<f32>::new(n).unwrap(), PooledVec::<f32>::new(n).unwrap());
    assert_eq!((v.as_ptr(), w.as_ptr()), (pb, pa));
}

#[test]
fn small_buffers_are_recycled_per_thread_and_bools_rezeroed() {
    let v = PooledVec::<f32>::from_slice(&[1.0; 1000]).unwrap();
    let p = v.as_ptr();
    drop(v);
    let w = PooledVec::<f32>::new(1000).unwrap();
    assert_eq!(w.as_ptr(), p, "same-size request on the same thread reuses the allocation");
    drop(w);
    let b = PooledVec::<bool>::new(4000).unwrap();
    assert!(b.iter().all(|&x| !x), "a recycled allocation is zeroed again for bools");
}

#[test]
fn absurd_requests_fail_cleanly() {
    assert!(matches!(PooledVec::<f32>::new(usize::MAX / 2), Err(Error::OutOfMemory { .. })));
    assert!(matches!(PooledVec::<f64>::new(1 << 50), Err(Error::OutOfMemory { .. })));
}

#[test]
fn a_buffer_gives_its_vector_back_only_when_it_is_the_only_handle_and_of_the_dtype() {
    let v = PooledVec::<f32>::from_slice(&[1.0, 2.0, 3.0]).unwrap();
    let p = v.as_ptr();
    let b = v.into_buffer();
    assert!(b.is_pooled());
    assert_eq!(b.as_slice::<f32>().unwrap(), &[1.0, 2.0, 3.0]);
    let other = b.clone();
    let b = PooledVec::<f32>::try_from_buffer(b).expect_err("a second handle reads it");
    drop(other);
    let b = PooledVec::<f64>::try_from_buffer(b).expect_err("another dtype");
    let v = PooledVec::<f32>::try_from_buffer(b).expect("the only handle");
    assert_eq!((v.as_ptr(), &v[..]), (p, &[1.0, 2.0, 3.0][..]));
    // User memory is never taken over.
    let user = Buffer::from_vec(vec![1.0f32; 3]);
    assert!(!user.is_pooled());
    assert!(PooledVec::<f32>::try_from_buffer(user).is_err());
}
