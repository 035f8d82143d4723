//! `engine`: what runs a Cannon trace fast and talks to its users. The run loop ([`run`]), step
//! patterns ([`pattern`]) and the `cannonball` command line built on the reference VM of
//! [`interp`].

pub mod bisect;
pub mod checkpoint;
pub mod cli;
pub mod cpu_profile;
pub mod engine;
pub mod jit;
pub mod log;
pub mod pattern;
pub mod profile;
pub mod run;
pub mod serve;
