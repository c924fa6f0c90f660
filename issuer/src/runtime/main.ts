// `pnpm start`: the issuer as a process (run-issuer-process.ts).
import { runIssuerProcess } from './run-issuer-process.ts'

runIssuerProcess()
