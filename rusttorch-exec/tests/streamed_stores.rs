//! Streamed (non-temporal) stores write exactly their range at every alignment.
use rusttorch_exec::stream_copy;

#[test]
fn streamed_writes_land_exactly_at_every_alignment() {
    // Every start offset against the 32-byte grid, lengths shorter and longer than one
    // aligned chunk: each element of the range is written, nothing around it.
    let src: Vec<f32> = (0..200).map(|i| i as f32 + 0.5).collect();
    for start in 0..12 {
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 129] {
            let mut dst = vec![-1.0f32; 200 + 16];
            stream_copy(&mut dst, start, &src[..len]);
            assert!(dst[..start].iter().all(|&v| v == -1.0), "before, start {start} len {len}");
            assert_eq!(&dst[start..start + len], &src[..len], "start {start} len {len}");
            assert!(dst[start + len..].iter().all(|&v| v == -1.0), "after, start {start} len {len}");
        }
    }
    let wide: Vec<f64> = (0..40).map(|i| i as f64 * 0.25).collect();
    for start in 0..5 {
        let mut dst = vec![0.0f64; 48];
        stream_copy(&mut dst, start, &wide[..37]);
        assert_eq!(&dst[start..start + 37], &wide[..37]);
    }
}
