// Prints the file "anycable-ts" resolves to for a server started from the repository root with
// this process's environment (TSX_TSCONFIG_PATH included): the RPC benchmark runs it before a
// --baseline server to prove that server loads the ref's framework, not the working tree's.
process.stdout.write(import.meta.resolve("anycable-ts"));
