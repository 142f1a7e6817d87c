// web-dev-server plugins for the demo pages, shared by `npm start` (scripts/start.mjs) and the
// end-to-end tests (test/e2e/support.ts), so the tests open the pages exactly as people do.
//
// - configPlugin: GET /demo/config.json answers { stageUrl, tokenUrl } (demo/live.ts, the
//   observables page and the Vue and Angular apps read it to find the stage server).
// - plainPagePlugin: demo/plain.html is markup and the drop-in only, with a placeholder `token`
//   on its <rtk-stage-provider>. This fills in the provider's `url` and a development token
//   for the participant named by the query, e.g. /demo/plain.html?room=demo&preset=host&name=Hana
//   (`user` is optional; by default every page load is a new user).

const PRESETS = ['host', 'moderator', 'speaker', 'viewer', 'audience'];
const PLAIN_PAGE = '/demo/plain.html';

/** GET /demo/config.json → { stageUrl, tokenUrl }. */
export function configPlugin({ stageUrl, tokenUrl }) {
  return {
    name: 'rtk-demo-config',
    serve(context) {
      if (context.path !== '/demo/config.json') return undefined;
      return {
        type: 'json',
        body: JSON.stringify({ stageUrl, tokenUrl }),
        headers: { 'cache-control': 'no-store' },
      };
    },
  };
}

/** Who a demo page's query names: room, preset, display name and user id. */
export function participantFromQuery(searchParams) {
  const room = /^[\w-]{1,64}$/.test(searchParams.get('room') ?? '')
    ? searchParams.get('room')
    : 'demo';
  const preset = PRESETS.includes(searchParams.get('preset'))
    ? searchParams.get('preset')
    : 'viewer';
  const name = (searchParams.get('name') ?? '').trim().slice(0, 64) || 'Guest';
  const slug = name.toLowerCase().replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'guest';
  const user = searchParams.get('user') || `${slug}-${Math.random().toString(36).slice(2, 8)}`;
  return { room, preset, name, user };
}

const escapeHtml = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

/**
 * Fills in demo/plain.html: the `url` and `token` attributes of its <rtk-stage-provider>, and
 * the text of its `<span id="who">`. `mintToken({ sub, room, name, preset })` signs the token.
 */
export function plainPagePlugin({ stageUrl, mintToken }) {
  return {
    name: 'rtk-demo-plain-page',
    async transform(context) {
      if (context.path !== PLAIN_PAGE || typeof context.body !== 'string') return undefined;
      const { room, preset, name, user } = participantFromQuery(context.URL.searchParams);
      const token = await mintToken({ sub: user, room, name, preset });
      const body = context.body
        .replace(/<rtk-stage-provider\b[^>]*>/, (tag) =>
          tag
            .replace(/\burl="[^"]*"/, `url="${escapeHtml(stageUrl)}"`)
            .replace(/\btoken="[^"]*"/, `token="${escapeHtml(token)}"`),
        )
        .replace(
          /(<span id="who">)[^<]*(<\/span>)/,
          `$1${escapeHtml(`${name} (${preset}) in room “${room}”`)}$2`,
        );
      // Every load mints a token for a new user: never serve it from a cache.
      return { body, transformCache: false, headers: { 'cache-control': 'no-store' } };
    },
  };
}
