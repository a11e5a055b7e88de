"""Request and response schemas, one module per blueprint; `pricing` is the contract with
orders. Input schemas list exactly what a caller may set."""
