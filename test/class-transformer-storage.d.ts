// class-transformer ships the types of its metadata storage apart from the CommonJS module that
// holds it; the fast-path test reads which class a nested property is turned into.
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
