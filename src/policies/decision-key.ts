import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";

/**
 * The key under which a decision is remembered: everything Cedar is handed for it, with entity ids replaced
 * by their order of first appearance (`User#0`, `Tenant#1`, …).
 *
 * Why that is sound: without a literal of their type in the policies, ids can only be compared with each
 * other (`==`, `in` over entities without parents) and tested for type, so two requests whose entities relate
 * the same way, with the same attribute values, get the same answer. Types that do appear as literals
 * (`principal == User::"u-eve"`) keep their real ids. So every resend of one admin's tenant shares one key
 * under the default policies, and a policy reading `resource.sendCount` makes the count part of the key.
 */
export function decisionKey(
  operation: string,
  principal: cedar.TypeAndId,
  resource: cedar.TypeAndId,
  entities: readonly cedar.EntityJson[],
  literalTypes: ReadonlySet<string>,
): string {
  const numbers = new Map<string, number>();
  const name = (uid: cedar.TypeAndId): string => {
    if (literalTypes.has(uid.type)) return `${uid.type}::${JSON.stringify(uid.id)}`;
    const full = `${uid.type}::${uid.id}`;
    let number = numbers.get(full);
    if (number === undefined) {
      number = numbers.size;
      numbers.set(full, number);
    }
    return `${uid.type}#${number}`;
  };
  const value = (json: cedar.CedarValueJson): string => {
    if (json === null || typeof json !== "object") return JSON.stringify(json);
    if (Array.isArray(json)) return `[${json.map(value).join(",")}]`;
    if ("__entity" in json) return name(json.__entity as cedar.TypeAndId);
    return `{${Object.entries(json)
      .map(([key, item]) => `${JSON.stringify(key)}:${value(item as cedar.CedarValueJson)}`)
      .join(",")}}`;
  };
  const parts = [operation, name(principal), name(resource)];
  for (const entity of entities) {
    parts.push(`${name(entity.uid as cedar.TypeAndId)}${value(entity.attrs as cedar.CedarValueJson)}`);
  }
  return parts.join("|");
}
