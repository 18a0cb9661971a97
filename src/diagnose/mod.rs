//! Pure domain logic: why a client cannot get in, and what to tell them.
//! No I/O, no terminal, no HTTP, no clock reads: the instant is an argument.
