//! Fusion planning (in progress).
