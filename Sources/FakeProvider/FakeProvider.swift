/// A fake LLM provider for tests and benchmarks. (Filled in by the fake provider work.)
enum FakeProviderNamespace {}
