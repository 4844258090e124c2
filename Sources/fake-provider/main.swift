print("fake-provider: not built yet")
