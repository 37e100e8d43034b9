//! RustTorch exec.
