import { Afi, Safi } from "./constants.js";
import type { AddressFamily, AfiSafi } from "./types.js";

export const ADDRESS_FAMILIES: readonly AddressFamily[] = ["ipv4-unicast", "ipv6-unicast"];

/** The AFI/SAFI numbers of one of our families. */
export function familyToAfiSafi(family: AddressFamily): AfiSafi {
  return family === "ipv4-unicast"
    ? { afi: Afi.IPV4, safi: Safi.UNICAST }
    : { afi: Afi.IPV6, safi: Safi.UNICAST };
}

/** The family an AFI/SAFI pair names, or null for one we keep raw. */
export function afiSafiToFamily(afi: number, safi: number): AddressFamily | null {
  if (safi !== Safi.UNICAST) return null;
  if (afi === Afi.IPV4) return "ipv4-unicast";
  if (afi === Afi.IPV6) return "ipv6-unicast";
  return null;
}
