// `express4` is a test-only npm alias of express@4 (the SDK's peer range covers 4 and 5). Express 4
// has the same application API as the 5 the types describe, as far as the tests use it.
declare module 'express4' {
  import express from 'express'
  export default express
}
