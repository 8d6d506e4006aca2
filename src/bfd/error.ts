/**
 * Why a BFD control packet was refused. RFC 5880 has no error message: every refusal means
 * "the packet MUST be discarded", so the receiver only logs this. Decoders throw nothing else on
 * bad bytes.
 * @category BFD
 */
export class BfdError extends Error {
  /** Always "BfdError", to tell it apart in logs. */
  override readonly name = "BfdError";
}
