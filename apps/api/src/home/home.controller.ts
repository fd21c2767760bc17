import { Controller, Get, HttpStatus, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/auth';
import { DOCS_PATH } from '../api-paths';

/**
 * `/` is the web app's when it is built (web/web-app.ts answers before any route); without a
 * build, it shows the API's documentation.
 */
@ApiExcludeController()
@Public()
@Controller()
export class HomeController {
  @Get()
  @Redirect(`/${DOCS_PATH}`, HttpStatus.FOUND)
  home(): void {}
}
