/** `bench.html?strategy=widget|tutorial&hub=...`: loads the strategy to measure (each in its own chunk). */
if (new URLSearchParams(location.search).get('strategy') === 'tutorial') await import('./tutorial-page.js');
else await import('./widget-page.js');

export {};
