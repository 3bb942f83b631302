// The parts of orderflow and the directions they may import in (the README's layer diagram).
// `may` lists the parts a part may import; every other part is off limits, and an allowed part is
// reached only through its public edge, `<part>/index.ts`.

/** Parts with a public edge (`index.ts`). */
const EDGED = ['contracts', 'platform', 'messaging', 'command-side', 'projector', 'query-side'];

/** Allowed directions: part → parts it may import. */
export const LAYERS = {
  contracts: [],
  // platform reads the local stack's default ports from stack/ports.ts (one table for both).
  platform: ['contracts', 'stack'],
  messaging: ['contracts', 'platform'],
  'command-side': ['contracts', 'platform', 'messaging'],
  projector: ['contracts', 'platform', 'messaging'],
  'query-side': ['contracts', 'platform', 'messaging', 'command-side', 'projector'],
  ops: ['contracts', 'platform', 'messaging', 'command-side', 'projector', 'query-side', 'stack'],
  stack: [],
};

const ALL = Object.keys(LAYERS);

/** `import-x/no-restricted-paths` zones encoding LAYERS and the edges. */
export const boundaryZones = ALL.flatMap((part) => {
  const allowed = LAYERS[part];
  const forbidden = ALL.filter((p) => p !== part && !allowed.includes(p));
  const zones = [];
  if (forbidden.length > 0) {
    zones.push({
      target: `./${part}`,
      from: forbidden.map((p) => `./${p}`),
      message: `${part}/ may import only ${allowed.join(', ') || 'nothing of orderflow'} (see the README's layer diagram).`,
    });
  }
  for (const p of allowed.filter((a) => EDGED.includes(a))) {
    zones.push({ target: `./${part}`, from: `./${p}`, except: ['./index.ts'], message: `import ${p}/ only through its edge, ${p}/index.ts.` });
  }
  return zones;
});
