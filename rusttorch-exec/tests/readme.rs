//! The README's Rust example, kept compiling and correct.
#![allow(clippy::result_large_err)]

use rusttorch_exec::prelude::*;

#[test]
fn readme_example() -> rusttorch_ir::Result<()> {
    let engine = Engine::new(2)?; // its own 2-thread pool
    let a = Tensor::placeholder([1024], DType::F32)?;
    let b = Tensor::placeholder([1024], DType::F32)?;
    let y = (((&a * &b)? + 1.0)?.relu()? - &a)?.sum(None, false)?; // lazy graph
    let exe = engine.compile(&[a, b], &[y])?; // optimize + fuse once
    assert_eq!(exe.num_kernels(), 1, "{}", exe.explain());
    let out = exe.run(&engine, &[Buffer::from_vec(vec![1.0f32; 1024]), Buffer::from_vec(vec![2.0f32; 1024])])?;
    assert_eq!(out[0].as_slice::<f32>()?, &[2048.0]); // run many times with new buffers
    Ok(())
}
