// Stack buffers on the query path (name decoding, compression tables) are written before they are read:
// skip zeroing them.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
