//! Frontend of the Scaffolder (work in progress).
