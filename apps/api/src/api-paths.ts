/** Where the API's routes and its documentation live (the banner of `npm start` shows them). */
export const API_PREFIX = 'api/v1';
export const DOCS_PATH = 'docs';
